package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.core.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Answers one connection's requests in order; per-connection state is the exchange being answered. */
final class MockHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Pattern DIRECTIVE = Pattern.compile("mock:([a-z0-9_\\-]+)");
    private static final int FLOOD_DELTA_CHARS = 16 * 1024;

    private enum State {
        IDLE,
        STREAMING,
        FLOODING,
        HANGING,
    }

    private final MockUpstream mock;
    private State state = State.IDLE;
    private @Nullable Exchange exchange;
    private @Nullable ScheduledFuture<?> timer;
    private boolean chat;

    private List<AnthropicScript.Event> events = List.of();
    private int next;
    private int deltasSent;
    private boolean paused;
    private long intervalMillis;
    private @Nullable Scenario scenario;
    private @Nullable AnthropicScript script;
    private long floodLeft;
    private long floodDeltas;

    MockHandler(MockUpstream mock) {
        super(true);
        this.mock = mock;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        chat = false;
        byte[] body = new byte[req.content().readableBytes()];
        req.content().getBytes(req.content().readerIndex(), body);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> h : req.headers()) {
            headers.add(Map.entry(h.getKey(), h.getValue()));
        }
        Exchange ex = new Exchange(req.method().name(), req.uri(), headers, body);
        exchange = ex;
        mock.add(ex);
        String path = req.uri().split("\\?", 2)[0];
        long inputTokens = Math.max(1, body.length / 4);
        if (path.endsWith("/v1/models") && req.method().equals(HttpMethod.GET)) {
            ex.scenario("models");
            json(ctx, 200, models(), null);
            return;
        }
        boolean messages = path.endsWith("/v1/messages");
        boolean countTokens = path.endsWith("/v1/messages/count_tokens");
        chat = path.endsWith("/chat/completions");
        if (!req.method().equals(HttpMethod.POST) || (!messages && !countTokens && !chat)) {
            ex.scenario("not-found");
            json(ctx, 404, error("not_found_error", "Not found: " + req.method() + " " + path), null);
            return;
        }
        JsonNode root;
        try {
            root = AnthropicScript.JSON.readTree(body);
        } catch (java.io.IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            ex.scenario("bad-request");
            json(ctx, 400, error("invalid_request_error", "request body is not a JSON object"), null);
            return;
        }
        if (countTokens) {
            ex.scenario("count_tokens");
            json(ctx, 200, "{\"input_tokens\":" + inputTokens + "}", null);
            return;
        }
        Scenario s = scenarioOf(root, req.headers());
        scenario = s;
        ex.scenario(s.wireName);
        int events = intHeader(req.headers(), "x-mock-events", mock.options().events());
        long ttft = intHeader(
                req.headers(), "x-mock-ttft-ms", (int) mock.options().ttft().toMillis());
        intervalMillis = intHeader(req.headers(), "x-mock-event-interval-ms", (int)
                mock.options().eventInterval().toMillis());
        if (s == Scenario.SLOW) {
            intervalMillis = 1000;
        }
        String model = root.path("model").asText("claude-sonnet-4-5");
        boolean stream = root.path("stream").asBoolean(false);
        switch (s) {
            case ERROR_429:
                json(
                        ctx,
                        429,
                        error("rate_limit_error", "Number of requests has exceeded your rate limit"),
                        this::rateLimitHeaders);
                return;
            case ERROR_529:
                // OpenAI has no 529: its overload answer is a 503.
                json(ctx, chat ? 503 : 529, error("overloaded_error", "Overloaded"), null);
                return;
            case ERROR_500:
                json(ctx, 500, error("api_error", "Internal server error"), null);
                return;
            case ERROR_401:
                json(ctx, 401, error("authentication_error", "invalid x-api-key"), null);
                return;
            case HANG:
                state = State.HANGING;
                return;
            default:
                break;
        }
        if (chat) {
            answerChat(ctx, ex, root, s, inputTokens, events, ttft, stream);
            return;
        }
        AnthropicScript sc = AnthropicScript.of(s, model, inputTokens, events);
        script = sc;
        if (!stream && s != Scenario.FLOOD) {
            schedule(ctx, ttft, () -> json(ctx, 200, sc.message(), null));
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("request-id", "req_" + Ids.random(24));
        HttpUtil.setTransferEncodingChunked(head, true);
        ex.status(200);
        ctx.write(head);
        if (s == Scenario.FLOOD) {
            state = State.FLOODING;
            floodLeft = mock.options().floodBytes();
            writeEvent(ctx, "message_start", sc.messageStart());
            writeEvent(
                    ctx,
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            ctx.flush();
            flood(ctx);
            return;
        }
        state = State.STREAMING;
        this.events = sc.events();
        next = 0;
        deltasSent = 0;
        ctx.flush();
        schedule(ctx, ttft, () -> pump(ctx));
    }

    private void answerChat(
            ChannelHandlerContext ctx,
            Exchange ex,
            JsonNode root,
            Scenario s,
            long promptTokens,
            int events,
            long ttft,
            boolean stream) {
        String model = root.path("model").asText("gpt-4o-mini");
        ChatScript sc = ChatScript.of(s == Scenario.FLOOD ? Scenario.TEXT : s, model, promptTokens, events);
        if (!stream) {
            schedule(ctx, ttft, () -> json(ctx, 200, sc.completion(), null));
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("x-request-id", "req_" + Ids.random(24));
        HttpUtil.setTransferEncodingChunked(head, true);
        ex.status(200);
        ctx.writeAndFlush(head);
        state = State.STREAMING;
        this.events =
                sc.events(root.path("stream_options").path("include_usage").asBoolean(false));
        next = 0;
        deltasSent = 0;
        schedule(ctx, ttft, () -> pump(ctx));
    }

    private void pump(ChannelHandlerContext ctx) {
        timer = null;
        if (state != State.STREAMING || !ctx.channel().isActive()) {
            return;
        }
        while (next < events.size()) {
            AnthropicScript.Event e = events.get(next);
            if (e.delta() && deltasSent > 0 && intervalMillis > 0 && !paused) {
                paused = true;
                ctx.flush();
                schedule(ctx, intervalMillis, () -> pump(ctx));
                return;
            }
            paused = false;
            writeEvent(ctx, e.name(), e.data());
            next++;
            if (e.delta()) {
                deltasSent++;
                if (scenario == Scenario.RESET_MID_STREAM && deltasSent == 2) {
                    ctx.flush();
                    // An abortive close: RST instead of FIN, like a dropped upstream connection.
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    mock.cancelled(exchange());
                    state = State.IDLE;
                    ctx.close();
                    return;
                }
            }
        }
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
            exchange().complete();
            mock.changed();
        });
        state = State.IDLE;
    }

    private void flood(ChannelHandlerContext ctx) {
        while (state == State.FLOODING && ctx.channel().isWritable()) {
            if (floodLeft <= 0) {
                AnthropicScript sc = script();
                writeEvent(ctx, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
                writeEvent(ctx, "message_delta", sc.messageDelta(floodDeltas));
                writeEvent(ctx, "message_stop", "{\"type\":\"message_stop\"}");
                state = State.IDLE;
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
                    exchange().complete();
                    mock.changed();
                });
                return;
            }
            int n = (int) Math.min(FLOOD_DELTA_CHARS, floodLeft);
            String text = "x".repeat(n);
            floodLeft -= n;
            floodDeltas++;
            writeEvent(ctx, "content_block_delta", AnthropicScript.delta(0, "text", text));
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (state == State.FLOODING && ctx.channel().isWritable()) {
            flood(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void writeEvent(ChannelHandlerContext ctx, String name, String data) {
        String event = name.isEmpty() ? "data: " + data + "\n\n" : "event: " + name + "\ndata: " + data + "\n\n";
        byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        exchange().wrote(buf);
        int n = bytes.length;
        ctx.write(new DefaultHttpContent(buf)).addListener(f -> {
            if (f.isSuccess()) {
                mock.flushed(n);
            }
        });
    }

    private void json(ChannelHandlerContext ctx, int status, String body, @Nullable Consumer<HttpHeaders> extra) {
        Exchange ex = exchange();
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), buf);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes())
                .set("request-id", "req_" + Ids.random(24));
        if (extra != null) {
            extra.accept(r.headers());
        }
        ex.status(status);
        ex.wrote(buf);
        int n = buf.readableBytes();
        state = State.IDLE;
        ctx.writeAndFlush(r)
                .addListener(f -> {
                    if (f.isSuccess()) {
                        mock.flushed(n);
                    }
                    ex.complete();
                    mock.changed();
                })
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private void rateLimitHeaders(HttpHeaders h) {
        String reset =
                Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS).toString();
        h.set(HttpHeaderNames.RETRY_AFTER, "2")
                .set("anthropic-ratelimit-requests-limit", "50")
                .set("anthropic-ratelimit-requests-remaining", "0")
                .set("anthropic-ratelimit-requests-reset", reset)
                .set("anthropic-ratelimit-tokens-reset", reset)
                .set("anthropic-ratelimit-input-tokens-reset", reset)
                .set("anthropic-ratelimit-output-tokens-reset", reset)
                .set("x-ratelimit-limit-requests", "50")
                .set("x-ratelimit-remaining-requests", "0")
                .set("x-ratelimit-reset-requests", "2s");
    }

    /** An error body in the format of the current request: Anthropic's, or OpenAI's for Chat requests. */
    private String error(String anthropicType, String message) {
        if (!chat) {
            return "{\"type\":\"error\",\"error\":{\"type\":\"" + anthropicType + "\",\"message\":\"" + message
                    + "\"}}";
        }
        String type;
        switch (anthropicType) {
            case "rate_limit_error":
                type = "rate_limit_exceeded";
                break;
            case "authentication_error":
                type = "invalid_api_key";
                break;
            case "invalid_request_error":
            case "not_found_error":
                type = "invalid_request_error";
                break;
            default:
                type = "server_error";
                break;
        }
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\"" + type
                + "\"}}";
    }

    private static String models() {
        StringBuilder sb = new StringBuilder("{\"data\":[");
        String[][] models = {
            {"claude-opus-4-1", "Claude Opus 4.1"},
            {"claude-sonnet-4-5", "Claude Sonnet 4.5"},
            {"claude-haiku-4-5", "Claude Haiku 4.5"}
        };
        for (int i = 0; i < models.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"type\":\"model\",\"id\":\"")
                    .append(models[i][0])
                    .append("\",\"display_name\":\"")
                    .append(models[i][1])
                    .append("\",\"created_at\":\"2025-09-29T00:00:00Z\"}");
        }
        return sb.append("],\"has_more\":false,\"first_id\":\"claude-opus-4-1\",\"last_id\":\"claude-haiku-4-5\"}")
                .toString();
    }

    private static Scenario scenarioOf(JsonNode root, HttpHeaders headers) {
        String text = lastUserText(root);
        Matcher m = DIRECTIVE.matcher(text);
        if (m.find()) {
            Scenario s = Scenario.of(m.group(1));
            if (s != null) {
                return s;
            }
        }
        String credential = headers.get("x-api-key");
        if (credential == null) {
            credential = headers.get("api-key");
        }
        String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (credential == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            credential = auth.substring(7).trim();
        }
        if (credential != null && credential.startsWith("mock-")) {
            Scenario s = Scenario.of(credential.substring(5));
            if (s != null) {
                return s;
            }
        }
        return Scenario.TEXT;
    }

    /**
     * Text of the conversation's last message when a user wrote it: a string, or its text blocks joined. A
     * conversation that ends in tool results (an Anthropic user turn of tool_result blocks, or Chat {@code tool}
     * messages) has no directive, so a tool loop ends with a plain answer. Trailing system messages are skipped.
     */
    static String lastUserText(JsonNode root) {
        JsonNode messages = root.path("messages");
        int last = messages.size() - 1;
        // Claude Code appends a role "system" message after the user's turn; it is not the conversation's end.
        while (last >= 0 && "system".equals(messages.get(last).path("role").asText())) {
            last--;
        }
        if (last < 0) {
            return "";
        }
        JsonNode msg = messages.get(last);
        if (!"user".equals(msg.path("role").asText())) {
            return "";
        }
        JsonNode content = msg.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                sb.append(block.path("text").asText()).append('\n');
            }
        }
        return sb.toString();
    }

    private static int intHeader(HttpHeaders h, String name, int fallback) {
        String v = h.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void schedule(ChannelHandlerContext ctx, long millis, Runnable task) {
        if (millis <= 0) {
            task.run();
        } else {
            timer = ctx.executor().schedule(task, millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        Exchange ex = exchange;
        if (ex != null && !ex.finished()) {
            mock.cancelled(ex);
        }
        state = State.IDLE;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private Exchange exchange() {
        Exchange ex = exchange;
        if (ex == null) {
            throw new IllegalStateException("no exchange in progress");
        }
        return ex;
    }

    private AnthropicScript script() {
        AnthropicScript sc = script;
        if (sc == null) {
            throw new IllegalStateException("no script in progress");
        }
        return sc;
    }
}
