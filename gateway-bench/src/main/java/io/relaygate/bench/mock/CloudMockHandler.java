package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.codec.bedrock.BedrockEventStreamEncoder;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The mock's cloud modes, in front of {@link MockHandler}. Bedrock ({@code POST /model/{id}/invoke} and
 * {@code /invoke-with-response-stream}): the SigV4 signature is recomputed ({@link MockSigV4}) or the API key checked,
 * the body must be Bedrock's Anthropic shape; the request goes on to the Messages mock, and its answer comes back as
 * Bedrock's: event-stream frames written with the AWS SDK, errors as {@code {"message":…}} with
 * {@code x-amzn-ErrorType}. The directive {@code mock:bedrock-throttle} in a prompt ends the stream with a
 * {@code throttlingException} frame after two events. CountTokens ({@code POST /model/{id}/count-tokens}) is checked
 * the same way and answered by {@link #countTokens}. Vertex ({@code …/publishers/anthropic/models/{m}:rawPredict} and
 * {@code :streamRawPredict}) takes only bearers its fake token endpoint ({@code POST /token}, the service-account JWT
 * flow) issued; its answer is the Messages mock's, unchanged.
 */
final class CloudMockHandler extends ChannelDuplexHandler {

    private static final Pattern BEDROCK =
            Pattern.compile("/model/([^/]+)/(invoke|invoke-with-response-stream|count-tokens)");
    private static final Pattern VERTEX = Pattern.compile(
            "/v1/projects/[^/]+/locations/[^/]+/publishers/anthropic/models/([^/:]+):(rawPredict|streamRawPredict)");
    private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";
    /** The cloud path a request came in on, recorded by {@link MockHandler} instead of the Messages path it plays. */
    static final String ORIGINAL_URI = "x-mock-original-uri";

    private enum Mode {
        NONE,
        BEDROCK,
        BEDROCK_STREAM,
        STOPPED
    }

    private final MockUpstream mock;
    private Mode mode = Mode.NONE;
    private boolean throttle;
    private int chunks;
    private @Nullable SseEventParser parser;
    /** The frames of the content being written, while the parser runs over it. */
    private @Nullable ByteBuf pending;

    private @Nullable ChannelHandlerContext ctx;

    CloudMockHandler(MockUpstream mock) {
        this.mock = mock;
    }

    /** Whether the answer being written is rewritten here (Bedrock's formats), not passed through as it is. */
    boolean transcodes() {
        return mode != Mode.NONE;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        this.ctx = ctx;
        mode = Mode.NONE;
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest req = (FullHttpRequest) msg;
        String path = req.uri().split("\\?", 2)[0];
        Matcher bedrock = BEDROCK.matcher(path);
        Matcher vertex = VERTEX.matcher(path);
        try {
            if (bedrock.matches()) {
                bedrock(ctx, req, URLDecoder.decode(bedrock.group(1), StandardCharsets.UTF_8), bedrock.group(2));
            } else if (vertex.matches()) {
                vertex(ctx, req, URLDecoder.decode(vertex.group(1), StandardCharsets.UTF_8), vertex.group(2));
            } else if (path.equals("/token")) {
                token(ctx, req);
            } else {
                ctx.fireChannelRead(req.retain());
            }
        } finally {
            req.release();
        }
    }

    private void bedrock(ChannelHandlerContext ctx, FullHttpRequest req, String modelId, String op) {
        byte[] body = bytes(req.content());
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        String refused = auth.startsWith("Bearer ")
                ? (mock.cloud().apiKey(auth.substring(7)) ? null : "Authentication failed: invalid API key")
                : MockSigV4.refusal(req, body, mock.cloud(), mock.tls());
        if (refused != null) {
            String type = refused.contains("expired") ? "ExpiredTokenException" : "UnrecognizedClientException";
            type = refused.contains("signature") ? "InvalidSignatureException" : type;
            record(req, "bedrock-forbidden", body);
            bedrockError(ctx, 403, type, refused);
            return;
        }
        if (op.equals("count-tokens")) {
            countTokens(ctx, req, modelId, body);
            return;
        }
        ObjectNode root = object(body);
        if (root == null
                || !"bedrock-2023-05-31".equals(root.path("anthropic_version").asText())
                || root.has("model")
                || root.has("stream")) {
            record(req, "bedrock-invalid", body);
            bedrockError(ctx, 400, "ValidationException", "Malformed input request: extraneous or missing keys");
            return;
        }
        boolean stream = op.equals("invoke-with-response-stream");
        root.remove("anthropic_version");
        root.remove("anthropic_beta");
        root.put("model", anthropicName(modelId)).put("stream", stream);
        throttle = new String(body, StandardCharsets.UTF_8).contains("mock:bedrock-throttle");
        chunks = 0;
        mode = stream ? Mode.BEDROCK_STREAM : Mode.BEDROCK;
        ctx.fireChannelRead(messages(req, root));
    }

    /**
     * Bedrock's CountTokens ({@code {"input": {"invokeModel": {"body": base64}}}} answered {@code {"inputTokens": N}},
     * N counted as the mock counts every request: a quarter of the InvokeModel body's bytes). Like Bedrock, it refuses
     * inference profile ids and models it does not count for (here: a body with {@code mock:no-count-tokens}).
     */
    private void countTokens(ChannelHandlerContext ctx, FullHttpRequest req, String modelId, byte[] body) {
        ObjectNode root = object(body);
        String encoded = root == null
                ? ""
                : root.path("input").path("invokeModel").path("body").asText("");
        byte[] invoke;
        try {
            invoke = java.util.Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            invoke = new byte[0];
        }
        ObjectNode request = object(invoke);
        if (request == null
                || !"bedrock-2023-05-31"
                        .equals(request.path("anthropic_version").asText())
                || request.has("model")) {
            record(req, "bedrock-invalid", body);
            bedrockError(ctx, 400, "ValidationException", "Malformed input request: invokeModel.body");
            return;
        }
        if (!modelId.startsWith("anthropic.")
                || new String(invoke, StandardCharsets.UTF_8).contains("mock:no-count-tokens")) {
            record(req, "bedrock-count-tokens-refused", body);
            bedrockError(ctx, 400, "ValidationException", "The provided model doesn't support counting tokens.");
            return;
        }
        record(req, "bedrock-count-tokens", body);
        json(ctx, 200, "{\"inputTokens\":" + Math.max(1, invoke.length / 4) + "}");
    }

    private void vertex(ChannelHandlerContext ctx, FullHttpRequest req, String model, String op) {
        byte[] body = bytes(req.content());
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (!auth.startsWith("Bearer ") || !mock.cloud().valid(auth.substring(7))) {
            record(req, "vertex-unauthenticated", body);
            json(
                    ctx,
                    401,
                    "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\","
                            + "\"status\":\"UNAUTHENTICATED\"}}");
            return;
        }
        ObjectNode root = object(body);
        if (root == null
                || !"vertex-2023-10-16".equals(root.path("anthropic_version").asText())
                || root.has("model")) {
            record(req, "vertex-invalid", body);
            json(
                    ctx,
                    400,
                    "{\"error\":{\"code\":400,\"message\":\"invalid request body\",\"status\":\"INVALID_ARGUMENT\"}}");
            return;
        }
        root.remove("anthropic_version");
        root.put("model", model.replace('@', '-')).put("stream", op.equals("streamRawPredict"));
        ctx.fireChannelRead(messages(req, root));
    }

    /** Google's token endpoint for service accounts: a JWT assertion signed with the account's key (RS256). */
    private void token(ChannelHandlerContext ctx, FullHttpRequest req) {
        byte[] body = bytes(req.content());
        record(req, "vertex-token", body);
        String assertion = null;
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.startsWith("assertion=")) {
                assertion = URLDecoder.decode(pair.substring(10), StandardCharsets.UTF_8);
            }
        }
        String[] parts = assertion == null ? new String[0] : assertion.split("\\.");
        if (parts.length == 3) {
            try {
                JsonNode claims =
                        AnthropicScript.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                PublicKey key = mock.cloud().serviceAccount(claims.path("iss").asText());
                Signature rs256 = Signature.getInstance("SHA256withRSA");
                if (key != null) {
                    rs256.initVerify(key);
                    rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                    if (rs256.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                        String token = "ya29.mock-" + Ids.random(24);
                        mock.cloud().issued(token);
                        json(
                                ctx,
                                200,
                                "{\"access_token\":\"" + token + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
                        return;
                    }
                }
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                // refused below
            }
        }
        json(ctx, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (mode == Mode.NONE) {
            ctx.write(msg, promise);
            return;
        }
        if (mode == Mode.STOPPED) {
            ReferenceCountUtil.release(msg);
            promise.setSuccess();
            return;
        }
        if (msg instanceof FullHttpResponse && ((FullHttpResponse) msg).status().code() >= 400) {
            FullHttpResponse r = (FullHttpResponse) msg;
            String message = errorMessage(r.content());
            int status = r.status().code();
            r.release();
            mode = Mode.NONE;
            String type = status == 429
                    ? "ThrottlingException"
                    : status == 529 ? "ServiceUnavailableException" : "InternalServerException";
            ctx.write(bedrockErrorResponse(status == 529 ? 503 : status, type, message), promise);
            return;
        }
        if (mode == Mode.BEDROCK) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse) {
            HttpResponse head = (HttpResponse) msg;
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM);
            head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            HttpUtil.setTransferEncodingChunked(head, true);
            parser = new SseEventParser(1 << 20, this::onEvent);
        }
        if (msg instanceof HttpContent) {
            HttpContent c = (HttpContent) msg;
            pending = Unpooled.buffer();
            try {
                SseEventParser p = parser;
                if (p != null) {
                    p.feed(c.content());
                }
            } finally {
                c.release();
            }
            ByteBuf frames = pending;
            pending = null;
            boolean last = msg instanceof LastHttpContent || mode == Mode.STOPPED;
            ctx.write(last ? new DefaultLastHttpContent(frames) : new DefaultHttpContent(frames), promise);
            if (last && mode == Mode.STOPPED) {
                ctx.flush();
            }
            return;
        }
        ctx.write(msg, promise);
    }

    private void onEvent(String name, byte[] data, int offset, int length) {
        ByteBuf out = pending;
        if (out == null || mode == Mode.STOPPED || name.equals("ping")) {
            return;
        }
        if (name.equals("error")) {
            out.writeBytes(BedrockEventStreamEncoder.exception(
                    "modelStreamErrorException", new String(data, offset, length, StandardCharsets.UTF_8)));
            mode = Mode.STOPPED;
            return;
        }
        out.writeBytes(BedrockEventStreamEncoder.chunk(new String(data, offset, length, StandardCharsets.UTF_8)));
        if (throttle && ++chunks == 2) {
            out.writeBytes(BedrockEventStreamEncoder.exception(
                    "throttlingException", "Too many requests, please wait before trying again."));
            mode = Mode.STOPPED;
        }
    }

    private static String anthropicName(String modelId) {
        String id = modelId.replaceFirst("^[a-z]{2,8}\\.anthropic\\.", "").replaceFirst("^anthropic\\.", "");
        return id.replaceFirst("-v\\d+(:\\d+)?$", "");
    }

    private static FullHttpRequest messages(FullHttpRequest req, ObjectNode root) {
        byte[] json;
        try {
            json = AnthropicScript.JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        FullHttpRequest out = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, req.method(), "/v1/messages", Unpooled.wrappedBuffer(json));
        out.headers().set(req.headers());
        out.headers().remove(HttpHeaderNames.AUTHORIZATION);
        out.headers().set(ORIGINAL_URI, req.uri());
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        return out;
    }

    private void record(FullHttpRequest req, String scenario, byte[] body) {
        Exchange ex = new Exchange(
                req.method().name(),
                req.uri(),
                java.util.List.of(),
                body,
                mock.options().record());
        ex.scenario(scenario);
        ChannelHandlerContext c = ctx;
        if (c != null) {
            ex.via(MockProtocols.protocolOf(c.channel()), MockProtocols.connectionId(c.channel()));
        }
        mock.add(ex);
    }

    private static @Nullable ObjectNode object(byte[] body) {
        try {
            JsonNode n = AnthropicScript.JSON.readTree(body);
            return n instanceof ObjectNode ? (ObjectNode) n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String errorMessage(ByteBuf content) {
        try {
            return AnthropicScript.JSON
                    .readTree(bytes(content))
                    .path("error")
                    .path("message")
                    .asText("error");
        } catch (IOException e) {
            return "error";
        }
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    private void bedrockError(ChannelHandlerContext ctx, int status, String type, String message) {
        ctx.writeAndFlush(bedrockErrorResponse(status, type, message));
    }

    private static FullHttpResponse bedrockErrorResponse(int status, String type, String message) {
        ObjectNode body = AnthropicScript.JSON.createObjectNode().put("message", message);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body.toString().getBytes(StandardCharsets.UTF_8)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().set("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }

    private static void json(ChannelHandlerContext ctx, int status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
