package io.relaygate.server.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.core.Secrets;
import io.relaygate.core.config.UpstreamConfig;
import io.relaygate.server.pipeline.PipelineNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Calls an OAuth token endpoint the way every upstream request goes: on Netty, through the account's proxy
 * ({@code socks5://} or {@code http://} CONNECT) and TLS setup ({@link UpstreamPool#open}), on an event loop, never
 * blocking one. One JSON POST per call on a connection of its own (closed afterwards; refreshes are rare), the answer
 * read whole up to {@link #MAX_ANSWER_BYTES}, the whole call bounded by {@link #CALL_TIMEOUT} (the connect, proxy and
 * TLS handshakes by {@code upstream.connectTimeout}).
 *
 * <p>The request body carries secrets (refresh tokens, codes): it never reaches a log line or an error message; errors
 * name the endpoint with {@link Secrets#redactUrl}.
 */
public final class TokenEndpoint implements TokenCalls, AutoCloseable {

    /** Longest a token call may take, from connect to the last byte of the answer. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    /** Token answers are a few hundred bytes; anything past this is not one. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;

    /** The token endpoint's answer: its status and body (at most {@link #MAX_ANSWER_BYTES}). */
    public record Answer(int status, byte[] body) {
        public Answer {
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** The endpoint could not be reached, or did not answer whole in time; the message names no secret. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    private final UpstreamPool pool;
    private final EventLoopGroup group;
    private final boolean ownsGroup;

    /** Calls on {@code group}'s event loops (the gateway's workers) through {@code pool}'s connection setup. */
    public TokenEndpoint(UpstreamPool pool, EventLoopGroup group) {
        this(pool, group, false);
    }

    private TokenEndpoint(UpstreamPool pool, EventLoopGroup group, boolean ownsGroup) {
        this.pool = requireNonNull(pool, "pool");
        this.group = requireNonNull(group, "group");
        this.ownsGroup = ownsGroup;
    }

    /**
     * A token endpoint client with an event loop of its own, for commands that run without a gateway (the CLI's sign
     * in); {@link #close()} stops the loop.
     */
    public static TokenEndpoint standalone(UpstreamConfig config) {
        Transports transports = Transports.detect();
        EventLoopGroup group = transports.newGroup(1, "relaygate-token");
        UpstreamPool pool =
                new UpstreamPool(transports, config, UpstreamPool.defaultTls(), PooledByteBufAllocator.DEFAULT);
        return new TokenEndpoint(pool, group, true);
    }

    /**
     * POSTs {@code json} to {@code url} through {@code proxy} (null: direct), trusting {@code trustCertificates} (null:
     * the JDK's trust store). Completes with the answer whatever its status; fails with {@link Unreachable} when
     * there is none, or {@link IllegalArgumentException} when the URL or proxy is not valid.
     *
     * @param what names the endpoint in errors, e.g. "token endpoint of account max"
     */
    @Override
    public CompletableFuture<Answer> post(
            String what, String url, @Nullable String proxy, @Nullable String trustCertificates, String json) {
        return post(what, url, proxy, trustCertificates, json, io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    }

    /**
     * {@link #post(String, String, String, String, String)} with {@code headers} added to the request (an account's
     * credentials for the console's connection test): the same connection setup, proxy and bounds.
     */
    @Override
    public CompletableFuture<Answer> post(
            String what,
            String url,
            @Nullable String proxy,
            @Nullable String trustCertificates,
            String json,
            io.netty.handler.codec.http.HttpHeaders headers) {
        UpstreamTarget target;
        try {
            target = UpstreamTarget.ofEndpoint(what, url, proxy, trustCertificates);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        EventLoop loop = loop();
        String where = what + " " + Secrets.redactUrl(url);
        try {
            loop.execute(() -> call(loop, target, json, headers, where, answer));
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new Unreachable(where + ": the gateway is shutting down"));
        }
        return answer;
    }

    private void call(
            EventLoop loop,
            UpstreamTarget target,
            String json,
            io.netty.handler.codec.http.HttpHeaders headers,
            String where,
            CompletableFuture<Answer> answer) {
        ScheduledFuture<?> timeout = loop.schedule(
                () -> answer.completeExceptionally(
                        new Unreachable(where + ": no answer within " + CALL_TIMEOUT.toSeconds() + " s")),
                CALL_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
        answer.whenComplete((a, e) -> timeout.cancel(false));
        Future<Channel> opened = pool.open(loop, target);
        opened.addListener(f -> {
            if (!opened.isSuccess()) {
                answer.completeExceptionally(new Unreachable(
                        where + " unreachable (" + Secrets.redact(String.valueOf(opened.cause())) + ")"));
                return;
            }
            send(opened.getNow(), target, json, headers, where, answer);
        });
    }

    private static void send(
            Channel ch,
            UpstreamTarget target,
            String json,
            io.netty.handler.codec.http.HttpHeaders headers,
            String where,
            CompletableFuture<Answer> answer) {
        // A timeout or a caller giving up closes the connection; its close fails nothing twice.
        answer.whenComplete((a, e) -> ch.close());
        if (answer.isDone()) {
            return;
        }
        ch.pipeline().addLast(PipelineNames.TOKEN_AGGREGATOR, new HttpObjectAggregator(MAX_ANSWER_BYTES));
        ch.pipeline().addLast(PipelineNames.TOKEN_ANSWER, new AnswerHandler(where, answer));
        ByteBuf body = ch.alloc().buffer();
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.basePath(), body);
        request.headers().add(headers);
        if (!request.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
            // JSON unless the caller said otherwise (a form-encoded code exchange)
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        request.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        ch.writeAndFlush(request).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                answer.completeExceptionally(new Unreachable(
                        where + ": sending failed (" + Secrets.redact(String.valueOf(f.cause())) + ")"));
            }
        });
    }

    /** The caller's event loop when it runs on one of ours (a relay), else the next one. */
    private EventLoop loop() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return (EventLoop) e;
            }
        }
        return group.next();
    }

    /** Takes the aggregated answer (released by its superclass) or the reason there is none. */
    private static final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final String where;
        private final CompletableFuture<Answer> answer;

        AnswerHandler(String where, CompletableFuture<Answer> answer) {
            this.where = where;
            this.answer = answer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            answer.complete(new Answer(response.status().code(), ByteBufUtil.getBytes(response.content())));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new Unreachable(where + ": connection closed before a whole answer"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // TooLongHttpContentException (an answer over MAX_ANSWER_BYTES), a reset, a TLS failure
            answer.completeExceptionally(
                    new Unreachable(where + ": " + Secrets.redact(String.valueOf(cause.getMessage()))));
            ctx.close();
        }
    }

    /** Stops the event loop of a {@link #standalone} client; nothing for the gateway's. */
    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
