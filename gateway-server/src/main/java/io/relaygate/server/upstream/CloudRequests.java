package io.relaygate.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.VertexCredentials;
import io.relaygate.core.catalogue.Catalogue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Requests to Claude on the cloud platforms: the Anthropic Messages body (the client's, or a converted one) reshaped
 * the way Bedrock and Vertex AI take it, and the platform's authentication.
 *
 * <ul>
 *   <li>Bedrock ({@code POST /model/{modelId}/invoke} or {@code /invoke-with-response-stream}): no {@code model} and
 *       no {@code stream} in the body, {@code "anthropic_version": "bedrock-2023-05-31"}, the accepted beta flags as
 *       {@code anthropic_beta} in the body; signed with SigV4 ({@link BedrockSigner}) or a Bedrock API key as bearer.
 *   <li>Vertex AI ({@code POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:rawPredict} or
 *       {@code :streamRawPredict}): no {@code model} in the body, {@code "anthropic_version": "vertex-2023-10-16"},
 *       the accepted beta flags as {@code anthropic-beta}; the service account's access token as bearer.
 * </ul>
 *
 * <p>The client's own headers do not go to a cloud platform (its SDK headers mean nothing there and would only be
 * signed along): the request carries its host, type, length, accepted encoding, the client's user agent and the
 * credentials.
 */
final class CloudRequests {

    static final String BEDROCK_VERSION = "bedrock-2023-05-31";
    static final String VERTEX_VERSION = "vertex-2023-10-16";
    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudRequests() {}

    /**
     * The request for a Messages body on a {@code bedrock} or {@code vertex} account. {@code body} is read, not
     * released; the returned request owns a new buffer.
     *
     * @throws GatewayException when the body is not a Messages request with a model
     */
    static FullHttpRequest build(
            Account account,
            UpstreamTarget target,
            ByteBuf body,
            HttpHeaders clientHeaders,
            Catalogue catalogue,
            Clock clock) {
        ObjectNode tree = read(body);
        JsonNode model = tree.remove("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new GatewayException(ErrorKind.INVALID_REQUEST, "model: missing (expected: a Claude model name)");
        }
        String id = CloudModels.upstreamId(account, model.asText(), catalogue);
        boolean stream = tree.path("stream").asBoolean(false);
        String betas = acceptedBetas(clientHeaders.getAll("anthropic-beta"), catalogue);
        String path;
        if (account.kind() == AccountKind.BEDROCK) {
            tree.remove("stream");
            tree.put("anthropic_version", BEDROCK_VERSION);
            if (betas != null && !tree.has("anthropic_beta")) {
                ArrayNode list = tree.putArray("anthropic_beta");
                for (String b : betas.split(",")) {
                    list.add(b);
                }
            }
            path = target.basePath() + "/model/" + encode(id) + (stream ? "/invoke-with-response-stream" : "/invoke");
        } else {
            VertexCredentials v = VertexCredentials.parse(CloudModels.requireCredential(account));
            tree.put("anthropic_version", VERTEX_VERSION);
            path = target.basePath() + "/v1/projects/" + encode(v.project()) + "/locations/" + encode(v.region())
                    + "/publishers/anthropic/models/" + encode(id) + (stream ? ":streamRawPredict" : ":rawPredict");
        }
        String accept = account.kind() == AccountKind.BEDROCK && stream
                ? EVENT_STREAM
                : (stream ? "text/event-stream" : "application/json");
        return request(
                account,
                target,
                path,
                encoded(account, tree),
                accept,
                betas,
                clientHeaders.get(HttpHeaderNames.USER_AGENT),
                clock);
    }

    /**
     * Bedrock's CountTokens request for a {@code count_tokens} body ({@code POST /model/{modelId}/count-tokens}, body
     * {@code {"input": {"invokeModel": {"body": <the InvokeModel body, base64>}}}}, answered {@code {"inputTokens":
     * N}}): the body as {@link #build} reshapes it (with a {@code max_tokens}, which InvokeModel requires and counting
     * ignores), for the foundation model's bare id (CountTokens refuses inference profile ids). {@code body} is read,
     * not released.
     *
     * @see <a href="https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html">CountTokens</a>
     */
    static FullHttpRequest buildCountTokens(
            Account account, UpstreamTarget target, ByteBuf body, Catalogue catalogue, Clock clock) {
        ObjectNode tree = read(body);
        JsonNode model = tree.remove("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new GatewayException(ErrorKind.INVALID_REQUEST, "model: missing (expected: a Claude model name)");
        }
        String id = CloudModels.upstreamId(account, model.asText(), catalogue);
        int anthropic = id.indexOf("anthropic.");
        String bare = anthropic > 0 && id.charAt(anthropic - 1) == '.' ? id.substring(anthropic) : id;
        tree.remove("stream");
        tree.put("anthropic_version", BEDROCK_VERSION);
        if (!tree.has("max_tokens")) {
            tree.put("max_tokens", 1);
        }
        ObjectNode wrapper = JSON.createObjectNode();
        wrapper.putObject("input")
                .putObject("invokeModel")
                .put("body", java.util.Base64.getEncoder().encodeToString(encoded(account, tree)));
        String path = target.basePath() + "/model/" + encode(bare) + "/count-tokens";
        return request(account, target, path, encoded(account, wrapper), "application/json", null, null, clock);
    }

    private static byte[] encoded(Account account, ObjectNode tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.API_ERROR, "could not encode the request for " + account.name());
        }
    }

    private static FullHttpRequest request(
            Account account,
            UpstreamTarget target,
            String path,
            byte[] bytes,
            String accept,
            @Nullable String betas,
            @Nullable String agent,
            Clock clock) {
        FullHttpRequest out =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(bytes));
        HttpHeaders h = out.headers();
        h.set(HttpHeaderNames.HOST, target.hostHeader());
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.set(HttpHeaderNames.ACCEPT, accept);
        h.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        // the operator's extra headers, before signing so SigV4 covers what it signs of them
        account.headers().forEach(h::set);
        authenticate(account, target, h, path, bytes, betas, clock);
        if (agent != null) {
            h.set(HttpHeaderNames.USER_AGENT, agent);
        }
        return out;
    }

    /**
     * Sends {@code request} (built here for {@code account} at {@code target}; released) through {@code calls}, which
     * reads the answer whole: the connection test's and CountTokens' calls.
     */
    static CompletableFuture<TokenEndpoint.Answer> send(
            TokenCalls calls, Account account, UpstreamTarget target, FullHttpRequest request) {
        HttpHeaders headers = new DefaultHttpHeaders();
        String url;
        String json;
        try {
            for (Map.Entry<String, String> h : request.headers()) {
                // the call sets its own host and length
                if (!h.getKey().equalsIgnoreCase(HttpHeaderNames.HOST.toString())
                        && !h.getKey().equalsIgnoreCase(HttpHeaderNames.CONTENT_LENGTH.toString())) {
                    headers.add(h.getKey(), h.getValue());
                }
            }
            url = (target.tls() ? "https://" : "http://") + target.hostHeader() + request.uri();
            json = request.content().toString(StandardCharsets.UTF_8);
        } finally {
            request.release();
        }
        return calls.post(
                "account " + account.name(), url, account.proxy(), account.trustCertificates(), json, headers);
    }

    private static void authenticate(
            Account account,
            UpstreamTarget target,
            HttpHeaders h,
            String path,
            byte[] body,
            @Nullable String betas,
            Clock clock) {
        String credential = CloudModels.requireCredential(account);
        if (account.kind() == AccountKind.BEDROCK) {
            BedrockCredentials c = BedrockCredentials.parse(credential);
            if (c.sigV4()) {
                BedrockSigner.sign(c, target.tls(), target.host(), target.port(), path, h, body, clock);
            } else {
                h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + c.apiKey());
            }
            return;
        }
        VertexCredentials v = VertexCredentials.parse(credential);
        if (v.accessToken() != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + v.accessToken());
        }
        if (betas != null) {
            h.set("anthropic-beta", betas);
        }
    }

    /** The client's beta flags the platforms accept, comma-separated; null when none. */
    static @Nullable String acceptedBetas(Iterable<String> headerValues, Catalogue catalogue) {
        StringBuilder sb = new StringBuilder();
        for (String value : headerValues) {
            for (String b : value.split(",")) {
                String flag = b.trim();
                if (catalogue.cloudBetas().contains(flag) && sb.indexOf(flag) < 0) {
                    sb.append(sb.length() == 0 ? "" : ",").append(flag);
                }
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static ObjectNode read(ByteBuf body) {
        try (InputStream in = new ByteBufInputStream(body.duplicate())) {
            JsonNode n = JSON.readTree(in);
            if (n instanceof ObjectNode) {
                return (ObjectNode) n;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new GatewayException(ErrorKind.INVALID_REQUEST, "request body must be a JSON object");
    }

    /** A path segment: model ids carry {@code :} (Bedrock's version suffix) and {@code @} (Vertex's date). */
    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
