package io.relaygate.codec.skim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.relaygate.codec.json.JsonValues;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import io.relaygate.core.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Skims an aggregated request body (Anthropic Messages, OpenAI Chat or Responses) for the fields routing, limits and
 * session stickiness need, with Jackson's streaming parser: the few wanted values are read, and everything else
 * (tools, message history, attachments) is passed over with {@code skipChildren()} without building a tree. The body
 * is still checked to be one well-formed JSON object, so a malformed request is answered by the gateway with a 400
 * naming the fault instead of costing an upstream call.
 */
public final class RequestSkimmer {

    /** Cap on {@link SkimmedRequest#firstSystemText()} and {@link SkimmedRequest#firstUserText()}, in UTF-8 bytes. */
    static final int MAX_TEXT_BYTES = 8 * 1024;

    /** Longest Jackson message quoted in an error; its tail only repeats the location. */
    private static final int MAX_DETAIL_CHARS = 160;

    private static final JsonFactory JSON = new JsonFactory();

    private RequestSkimmer() {}

    /**
     * Reads the readable bytes of {@code body}; its indices and reference count are unchanged (the caller still owns
     * and forwards it).
     *
     * @throws GatewayException {@link ErrorKind#INVALID_REQUEST} when the body is empty, not valid JSON (the message
     *     gives line and column), not a JSON object, has trailing content, or has a {@code model} that is not a
     *     string or a {@code stream} that is not a boolean
     */
    public static SkimmedRequest skim(ByteBuf body) {
        return read(body).toRequest();
    }

    /**
     * Like {@link #skim(ByteBuf)}, and also checks the structure {@code route} requires, as the upstream API would
     * before anything else (see {@link Structure}): a request that fails it is refused before an account is chosen.
     *
     * @throws GatewayException {@link ErrorKind#INVALID_REQUEST} as {@link #skim(ByteBuf)} does, and when a member the
     *     route requires is missing or has the wrong shape; the message names the member and the expectation
     */
    public static SkimmedRequest skim(ByteBuf body, Route route) {
        requireNonNull(route, "route");
        Fields fields = read(body);
        String fault = fields.structure.fault(route, fields.model());
        if (fault != null) {
            throw invalid(fault);
        }
        return fields.toRequest();
    }

    private static Fields read(ByteBuf body) {
        requireNonNull(body, "body");
        if (!body.isReadable()) {
            throw invalid("request body is empty");
        }
        try (JsonParser p = open(body)) {
            Fields fields = readObject(p);
            requireEnd(p);
            // JSON text is UTF-8 (RFC 8259 §8.1). Jackson decodes overlong forms and encoded surrogates without
            // complaint, so the gateway would read a model name other than the bytes the upstream gets; one pass, no
            // copy, after the parse so that a syntax error (a cut body) is reported with its location.
            if (!ByteBufUtil.isText(body, StandardCharsets.UTF_8)) {
                throw invalid("request body is not valid UTF-8");
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw invalid("request body is not valid JSON " + where(e.getLocation()) + ": " + detail(e));
        } catch (IOException e) {
            // The body is in memory; only the JSON layer can fail, and it throws JsonProcessingException.
            throw invalid("request body could not be read: " + e.getClass().getSimpleName());
        }
    }

    private static Fields readObject(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw invalid("request body is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw invalid("request body is not a JSON object (found " + describe(first) + ")");
        }
        Fields fields = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            fields.read(p, p.currentName(), p.nextToken());
        }
        return fields;
    }

    /** After the root object only whitespace may follow; anything else, even unparseable, is trailing content. */
    private static void requireEnd(JsonParser p) throws IOException {
        JsonLocation location;
        try {
            if (p.nextToken() == null) {
                return;
            }
            location = p.currentTokenLocation();
        } catch (JsonProcessingException e) {
            location = e.getLocation();
        }
        throw invalid("request body has trailing content after the JSON object " + where(location));
    }

    /**
     * The session id inside Claude Code's {@code metadata.user_id}: either a JSON string like
     * {@code {"device_id":"…","account_uuid":"","session_id":"<uuid>"}} (2.1.x) or the older
     * {@code user_<hash>_account_<uuid>_session_<uuid>}. Null when there is none or it does not look like an id
     * (letters, digits, {@code -} and {@code _}, at most 128 characters), so a hostile value cannot become an
     * arbitrary store key.
     */
    public static @Nullable String sessionIdFromMetadataUserId(String userId) {
        requireNonNull(userId, "userId");
        String s = userId.strip();
        if (s.startsWith("{")) {
            return plausibleId(sessionIdFromJson(s));
        }
        int at = s.lastIndexOf("_session_");
        if (s.startsWith("user_") && at >= 0) {
            return plausibleId(s.substring(at + "_session_".length()));
        }
        return null;
    }

    private static @Nullable String sessionIdFromJson(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            return JsonValues.stringMember(p, p.nextToken(), "session_id");
        } catch (IOException e) {
            return null;
        }
    }

    private static @Nullable String plausibleId(@Nullable String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return null;
            }
        }
        return id;
    }

    private static JsonParser open(ByteBuf body) throws IOException {
        if (body.hasArray()) {
            return JSON.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        // A duplicate has its own indices and shares the reference count without retaining: reading it leaves the
        // caller's buffer as it was.
        return JSON.createParser((InputStream) new ByteBufInputStream(body.duplicate()));
    }

    static GatewayException invalid(String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, message);
    }

    private static String where(@Nullable JsonLocation location) {
        if (location == null) {
            return "(location unknown)";
        }
        return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Jackson's reason, which may quote a token of the body, redacted and shortened before it reaches a client. */
    private static String detail(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        String redacted = Secrets.redact(message);
        return redacted.length() <= MAX_DETAIL_CHARS ? redacted : redacted.substring(0, MAX_DETAIL_CHARS) + "…";
    }

    static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }
}
