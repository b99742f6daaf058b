package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
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
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.core.Ids;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Answers one connection's requests in order, in the format the path names (Anthropic Messages, OpenAI Chat
 * Completions or OpenAI Responses) or as an OAuth token endpoint ({@link MockOAuth}); per-connection state is the
 * exchange being answered. The scripts render the content; this handler paces it, floods while writable, injects
 * faults, refuses bearers {@link MockOAuth} rejects and records the exchange.
 */
final class MockHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private enum State {
        IDLE,
        STREAMING,
        FLOODING,
        HANGING,
    }

    /**
     * On HTTP/2, the first request carrying this header with a given value is refused with {@code RST_STREAM
     * (REFUSED_STREAM)}; later ones with the same value are answered.
     */
    static final String REFUSE_STREAM = "x-mock-refuse-stream";

    private final MockUpstream mock;
    private State state = State.IDLE;
    private @Nullable Exchange exchange;
    private @Nullable ScheduledFuture<?> timer;

    private WireApi api = WireApi.ANTHROPIC;
    /**
     * Rate-limit headers of the current answer: OpenAI's on every OpenAI-format answer, Anthropic's on a successful
     * Messages answer; empty otherwise.
     */
    private final HttpHeaders rateLimitHeaders = new DefaultHttpHeaders();

    private List<AnthropicScript.Event> events = List.of();
    private int next;
    private int deltasSent;
    private boolean paused;
    private long intervalMillis;
    private @Nullable Scenario scenario;
    private @Nullable Flood flood;
    private final EventWriter writer;
    private final Pacing pacing = new Pacing();
    /** The next step of the paced stream: one task per handler, not one per event; on the loop's wheel if it fits. */
    private final Runnable pumpTask = this::pump;

    private final PacingWheel.Timer paced = new PacingWheel.Timer(pumpTask);

    private @Nullable ChannelHandlerContext streamCtx;

    MockHandler(MockUpstream mock) {
        super(true);
        this.mock = mock;
        this.writer = new EventWriter(mock);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        api = WireApi.ANTHROPIC;
        Exchange ex = Exchange.of(req, ctx.channel(), mock.options().record());
        byte[] body = ex.body();
        exchange = ex;
        mock.add(ex);
        String path = req.uri().split("\\?", 2)[0];
        long inputTokens = Math.max(1, body.length / 4);
        rateLimitHeaders.clear();
        if (path.endsWith("/oauth/token") && req.method().equals(HttpMethod.POST)) {
            oauthToken(ctx, ex, path, req.headers().get(HttpHeaderNames.CONTENT_TYPE), body);
            return;
        }
        if (path.equals("/_mock/usage") && req.method().equals(HttpMethod.GET)) {
            ex.scenario("mock-usage");
            json(ctx, 200, mock.declaredUsage(), null);
            return;
        }
        if (path.endsWith("/v1/models") && req.method().equals(HttpMethod.GET)) {
            ex.scenario("models");
            json(ctx, 200, MockRequests.models(), null);
            return;
        }
        boolean messages = path.endsWith("/v1/messages");
        boolean countTokens = path.endsWith("/v1/messages/count_tokens");
        if (path.endsWith("/chat/completions")) {
            api = WireApi.CHAT;
        } else if (path.endsWith("/responses")) {
            api = WireApi.RESPONSES;
        }
        if (api.openAi()) {
            RateLimitHeaders.openAi(
                    rateLimitHeaders, req.headers(), mock.options().rateLimits(), inputTokens, false);
        }
        if (!req.method().equals(HttpMethod.POST) || (!messages && !countTokens && !api.openAi())) {
            // Includes GET /v1/responses with "Upgrade: websocket": Codex's built-in provider tries a WebSocket
            // first and falls back to HTTP after 404s, as with a server that has no WebSocket support.
            ex.scenario("not-found");
            error(ctx, MockErrors.Kind.NOT_FOUND, req.method() + " " + path, null);
            return;
        }
        String refuse = req.headers().get(REFUSE_STREAM);
        if (refuse != null && ctx.channel() instanceof Http2StreamChannel && mock.firstRefusal(refuse)) {
            // RFC 9113 section 8.7: REFUSED_STREAM says the request was not processed and may be sent again.
            ex.scenario("refused-stream");
            mock.cancelled(ex);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            return;
        }
        MockOAuth.Rejection refused = mock.oauth().checkBearer(api, req.headers());
        if (refused != null) {
            ex.scenario("oauth-unauthorized");
            json(ctx, 401, MockErrors.authentication(api, refused.message(), refused.code()), null);
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
            error(ctx, MockErrors.Kind.BAD_REQUEST, "request body is not a JSON object", null);
            return;
        }
        String fault = MockValidation.fault(api, countTokens, root);
        if (fault != null) {
            ex.scenario("invalid-request");
            error(ctx, MockErrors.Kind.BAD_REQUEST, fault, null);
            return;
        }
        if (countTokens) {
            ex.scenario("count_tokens");
            json(ctx, 200, "{\"input_tokens\":" + inputTokens + "}", null);
            return;
        }
        Scenario s = MockRequests.scenarioOf(root, req.headers());
        scenario = s;
        ex.scenario(s.wireName);
        int events = MockRequests.intHeader(
                req.headers(), "x-mock-events", mock.options().events());
        long ttft = MockRequests.intHeader(
                req.headers(), "x-mock-ttft-ms", (int) mock.options().ttft().toMillis());
        intervalMillis = MockRequests.intHeader(req.headers(), "x-mock-event-interval-ms", (int)
                mock.options().eventInterval().toMillis());
        if (s == Scenario.SLOW) {
            intervalMillis = 1000;
        }
        boolean stream = root.path("stream").asBoolean(false);
        switch (s) {
            case ERROR_429:
                Consumer<HttpHeaders> limited = api.openAi()
                        ? h -> RateLimitHeaders.openAi(
                                h, req.headers(), mock.options().rateLimits(), inputTokens, true)
                        : RateLimitHeaders::anthropicLimited;
                error(ctx, MockErrors.Kind.RATE_LIMITED, "", limited);
                return;
            case ERROR_529:
                error(ctx, MockErrors.Kind.OVERLOADED, "", null);
                return;
            case ERROR_500:
                error(ctx, MockErrors.Kind.SERVER, "", null);
                return;
            case ERROR_401:
                error(ctx, MockErrors.Kind.UNAUTHORIZED, "", null);
                return;
            case ERROR_504, ERROR_524:
                int timeout = s == Scenario.ERROR_504 ? 504 : 524;
                json(
                        ctx,
                        timeout,
                        MockErrors.timeoutPage(timeout),
                        h -> h.set(HttpHeaderNames.CONTENT_TYPE, "text/html"));
                return;
            case HANG:
                state = State.HANGING;
                return;
            case RESET_BEFORE_HEAD:
                // An abortive close before any byte of the answer: RST, like an upstream that dropped the connection.
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                mock.cancelled(ex);
                ctx.close();
                return;
            default:
                break;
        }
        // Only the Responses API has custom tool calls and response.failed; elsewhere they answer as text.
        Scenario content = s;
        if (api != WireApi.RESPONSES && (s == Scenario.CUSTOM_TOOL || s == Scenario.FAILED)) {
            content = Scenario.TEXT;
        }
        switch (api) {
            case CHAT:
                ChatScript chat =
                        ChatScript.of(content == Scenario.FLOOD ? Scenario.TEXT : content, root, inputTokens, events);
                boolean usage =
                        root.path("stream_options").path("include_usage").asBoolean(false);
                answer(ctx, ttft, stream, false, chat::completion, () -> chat.events(usage), null);
                break;
            case RESPONSES:
                ResponsesScript responses = ResponsesScript.of(content, root, inputTokens, events);
                answer(
                        ctx,
                        ttft,
                        stream,
                        content == Scenario.FLOOD,
                        responses::response,
                        responses::events,
                        responses::flood);
                break;
            default:
                String credential = MockRequests.credential(req.headers());
                RateLimitHeaders.anthropic(
                        rateLimitHeaders,
                        req.headers(),
                        mock.options().rateLimits(),
                        inputTokens,
                        credential != null && credential.startsWith("sk-ant-oat"));
                AnthropicScript anthropic = AnthropicScript.of(content, root, inputTokens, events);
                // The Anthropic flood streams even when the request did not ask for a stream.
                answer(
                        ctx,
                        ttft,
                        stream || content == Scenario.FLOOD,
                        content == Scenario.FLOOD,
                        anthropic::message,
                        anthropic::events,
                        anthropic::flood);
                break;
        }
    }

    /**
     * Answers a token request: {@code …/v1/oauth/token} in Claude's format, any other {@code …/oauth/token} in
     * OpenAI's; decided now, sent after the OAuth delay.
     */
    private void oauthToken(
            ChannelHandlerContext ctx, Exchange ex, String path, @Nullable String contentType, byte[] body) {
        MockOAuth.Provider provider =
                path.endsWith("/v1/oauth/token") ? MockOAuth.Provider.ANTHROPIC : MockOAuth.Provider.OPENAI;
        api = provider == MockOAuth.Provider.ANTHROPIC ? WireApi.ANTHROPIC : WireApi.RESPONSES;
        MockOAuth.Answer answer = mock.oauth().token(provider, contentType, body);
        ex.scenario(answer.scenario());
        schedule(ctx, mock.oauth().delayMillis(), () -> json(ctx, answer.status(), answer.body(), null));
    }

    /**
     * Sends an answer: the whole JSON after the time to first token, the flood, or the paced event stream.
     */
    private void answer(
            ChannelHandlerContext ctx,
            long ttft,
            boolean stream,
            boolean floodScenario,
            Supplier<String> whole,
            Supplier<List<AnthropicScript.Event>> script,
            @Nullable LongFunction<Flood> floodOf) {
        mock.answered();
        if (!stream) {
            schedule(ctx, ttft, () -> json(ctx, 200, whole.get(), null));
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(api.openAi() ? "x-request-id" : "request-id", "req_" + Ids.random(24))
                .add(rateLimitHeaders);
        boolean closeDelimited = StreamFaults.closeDelimited(scenario);
        if (closeDelimited) {
            head.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        exchange().status(200);
        if (floodScenario && floodOf != null) {
            ctx.write(head);
            state = State.FLOODING;
            flood = floodOf.apply(mock.options().floodBytes());
            flood(ctx);
            return;
        }
        ctx.writeAndFlush(head);
        state = State.STREAMING;
        this.events = script.get();
        next = 0;
        deltasSent = 0;
        pacing.reset();
        streamCtx = ctx;
        writer.start(ctx, !closeDelimited);
        schedule(ctx, ttft, pumpTask);
    }

    private void pump() {
        ChannelHandlerContext ctx = java.util.Objects.requireNonNull(streamCtx, "streamCtx");
        timer = null;
        if (state != State.STREAMING || !ctx.channel().isActive()) {
            return;
        }
        while (next < events.size()) {
            AnthropicScript.Event e = events.get(next);
            if (e.delta() && deltasSent > 0 && intervalMillis > 0 && !paused) {
                paused = true;
                writer.flush(ctx);
                long now = System.nanoTime();
                long wait = pacing.delayNanos(now, intervalMillis);
                if (PacingWheel.accepts(wait)) {
                    PacingWheel.of(ctx.executor()).schedule(paced, now + wait);
                } else {
                    timer = ctx.executor().schedule(pumpTask, wait, TimeUnit.NANOSECONDS);
                }
                return;
            }
            paused = false;
            write(ctx, e);
            next++;
            if (e.delta()) {
                deltasSent++;
                StreamFaults.Cut cut = deltasSent == 2 ? StreamFaults.cut(scenario) : null;
                if (cut != null) {
                    cutStream(ctx, cut);
                    return;
                }
                if (scenario == Scenario.RESET_MID_STREAM && deltasSent == 2) {
                    ctx.flush();
                    // An abortive close: RST instead of FIN, like a dropped upstream connection.
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    mock.cancelled(exchange());
                    state = State.IDLE;
                    if (ctx.channel() instanceof Http2StreamChannel) {
                        // On HTTP/2 the flush waits for the end of the connection's read and RST_STREAM would drop
                        // the data still queued: reset the stream once what was written went out, as on TCP.
                        ctx.executor().execute(ctx::close);
                    } else {
                        ctx.close();
                    }
                    return;
                }
            }
        }
        finish(ctx);
    }

    /** Ends the stream badly ({@link StreamFaults}): a close, or an error event or half an event and then the end. */
    private void cutStream(ChannelHandlerContext ctx, StreamFaults.Cut cut) {
        if (cut == StreamFaults.Cut.CLOSE) {
            // HTTP/2 has no close-delimited body: a clean END_STREAM before the final event plays the close.
            end(ctx, !(ctx.channel() instanceof Http2StreamChannel));
            return;
        }
        write(
                ctx,
                StreamFaults.tail(
                        cut, api, next < events.size() ? events.get(next).sse() : ""));
        finish(ctx);
    }

    private void finish(ChannelHandlerContext ctx) {
        end(ctx, scenario == Scenario.CLOSE_AFTER_END && !(ctx.channel() instanceof Http2StreamChannel));
    }

    /** Ends the answer with its last chunk, or ({@code close}) by closing the connection after what was written. */
    private void end(ChannelHandlerContext ctx, boolean close) {
        state = State.IDLE;
        flood = null;
        Exchange ex = exchange();
        ctx.writeAndFlush(close ? Unpooled.EMPTY_BUFFER : LastHttpContent.EMPTY_LAST_CONTENT)
                .addListener(f -> {
                    ex.complete();
                    mock.changed();
                    if (close) {
                        ctx.close();
                    }
                });
    }

    /** Writes flood pieces while the channel is writable; {@link #channelWritabilityChanged} resumes. */
    private void flood(ChannelHandlerContext ctx) {
        Flood f = flood;
        while (state == State.FLOODING && f != null && ctx.channel().isWritable()) {
            String piece = f.next();
            if (piece == null) {
                finish(ctx);
                return;
            }
            write(ctx, piece);
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

    /** Writes an event straight into a pooled buffer (no string, no array per event); see {@link EventWriter}. */
    private void write(ChannelHandlerContext ctx, AnthropicScript.Event e) {
        writer.event(ctx, exchange(), e);
    }

    private void write(ChannelHandlerContext ctx, String sse) {
        writer.text(ctx, exchange(), sse);
    }

    private void error(
            ChannelHandlerContext ctx, MockErrors.Kind kind, String detail, @Nullable Consumer<HttpHeaders> extra) {
        json(ctx, MockErrors.status(kind, api), MockErrors.body(kind, api, detail), extra);
    }

    private void json(ChannelHandlerContext ctx, int status, String body, @Nullable Consumer<HttpHeaders> extra) {
        Exchange ex = exchange();
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), buf);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes())
                .set(api.openAi() ? "x-request-id" : "request-id", "req_" + Ids.random(24))
                .add(rateLimitHeaders);
        if (extra != null) {
            extra.accept(r.headers());
        }
        ex.status(status);
        ex.wrote(buf);
        long[] raise = ex.declare(body);
        int n = buf.readableBytes();
        state = State.IDLE;
        ctx.writeAndFlush(r)
                .addListener(f -> {
                    if (f.isSuccess()) {
                        mock.flushed(n);
                        mock.declared(raise);
                    }
                    ex.complete();
                    mock.changed();
                })
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
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
        paced.cancel();
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
        return java.util.Objects.requireNonNull(exchange, "no exchange in progress");
    }
}
