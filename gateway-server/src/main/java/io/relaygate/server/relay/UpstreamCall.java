package io.relaygate.server.relay;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Durations;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Secrets;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.config.UpstreamConfig;
import io.relaygate.server.exchange.Exchange;
import io.relaygate.server.pipeline.PipelineNames;
import io.relaygate.server.upstream.UpstreamConnections;
import io.relaygate.server.upstream.UpstreamRequests;
import io.relaygate.server.upstream.UpstreamTarget;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's request on one pooled upstream connection: sends it, reads the head (an error answer is collected, a
 * success starts the {@link ClientResponse}), relays the body with backpressure and watches the response and idle
 * timeouts. What happens next is RELAY's decision, told through {@link Listener}; every listener call comes after the
 * call detached itself from the connection. Confined to the client channel's event loop (the connection is on it).
 */
final class UpstreamCall {

    private static final Logger logger = LoggerFactory.getLogger(UpstreamCall.class);
    static final String STOPPING = "the gateway is stopping";

    /** What RELAY hears from a call; each ends the call. */
    interface Listener {
        /** Nothing reached the client: try elsewhere or answer with the failure. */
        void failedBeforeFirstByte(UpstreamFailure failure, @Nullable String detail);

        /** The connection closed before the answer's head; {@code reused}: it was a pooled keep-alive connection. */
        void closedBeforeHead(boolean reused);

        /** The upstream answered with an error status; the answer's body is complete (bounded). */
        void errorAnswered(UpstreamErrorAnswer answer);

        /**
         * The whole answer reached the client's channel (not yet flushed); {@code upstreamError} when the stream ended
         * with the upstream's own error event.
         */
        void completed(@Nullable String upstreamError);

        /** The upstream failed after its success head. */
        void failedMidStream(UpstreamFailure failure, String message);
    }

    private enum State {
        AWAITING_HEAD,
        READING_ERROR,
        RELAYING,
        DETACHED
    }

    private final Exchange exchange;
    private final ChannelHandlerContext client;
    private final UpstreamConnections pool;
    private final UpstreamTarget target;
    private final UpstreamConfig config;
    private final Listener listener;
    private final @Nullable Conversion conversion;
    private final Channel upstream;
    private final boolean reused;

    private State state = State.AWAITING_HEAD;
    private boolean keepAlive = true;
    private @Nullable UpstreamErrorAnswer errorAnswer;
    private @Nullable ClientResponse response;
    private @Nullable ScheduledFuture<?> timer;
    private long lastReadNanos;

    UpstreamCall(
            Exchange exchange,
            ChannelHandlerContext client,
            UpstreamConnections pool,
            UpstreamTarget target,
            UpstreamConfig config,
            Listener listener,
            @Nullable Conversion conversion,
            UpstreamConnections.Lease lease) {
        this.exchange = exchange;
        this.client = client;
        this.pool = pool;
        this.target = target;
        this.config = config;
        this.listener = listener;
        this.conversion = conversion;
        this.upstream = lease.channel();
        this.reused = lease.reused();
    }

    /**
     * Takes a connection to {@code target} and, when {@code take} still wants the call (the exchange may have ended
     * while connecting: then the connection closes), sends the request on it. A connection that cannot be had is
     * reported to {@code listener}, classified by {@link ConnectFailures}, when {@code take} still wants news of it
     * (asked with null).
     */
    static void open(
            Exchange exchange,
            ChannelHandlerContext client,
            UpstreamConnections pool,
            UpstreamTarget target,
            UpstreamConfig config,
            Listener listener,
            @Nullable Conversion conversion,
            Predicate<@Nullable UpstreamCall> take) {
        pool.acquire(client.channel().eventLoop(), target).addListener((Future<UpstreamConnections.Lease> f) -> {
            if (f.isSuccess()) {
                UpstreamCall call =
                        new UpstreamCall(exchange, client, pool, target, config, listener, conversion, f.getNow());
                if (take.test(call)) {
                    call.send();
                } else {
                    f.getNow().channel().close();
                }
            } else if (take.test(null)) {
                Throwable cause = f.cause();
                listener.failedBeforeFirstByte(
                        ConnectFailures.classify(cause, client.channel().eventLoop()), ConnectFailures.detail(cause));
            }
        });
    }

    /** Sends the request; the answer's events arrive through {@link UpstreamResponseHandler}. */
    void send() {
        Channel ch = upstream;
        Account account = exchange.attempts().current();
        FullHttpRequest request;
        try {
            request =
                    UpstreamRequests.forAttempt(exchange.request(), account, target, conversion, exchange.catalogue());
        } catch (GatewayException e) {
            detach(true);
            listener.failedBeforeFirstByte(UpstreamFailure.CLIENT_ERROR, e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            // an unreadable stored credential: the message names the account, never the secret
            detach(true);
            listener.failedBeforeFirstByte(UpstreamFailure.SERVER_ERROR, e.getMessage());
            return;
        }
        if (account.kind() == AccountKind.BEDROCK) {
            ch.pipeline().addLast(PipelineNames.UPSTREAM_EVENT_STREAM, new EventStreamToSseDecoder(exchange.id()));
        }
        ch.pipeline().addLast(PipelineNames.UPSTREAM_RESPONSE, new UpstreamResponseHandler(this));
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess() && state != State.DETACHED) {
                ch.close();
            }
        });
        schedule(config.responseTimeout().toNanos());
    }

    void onHead(HttpResponse head) {
        if (state != State.AWAITING_HEAD) {
            return;
        }
        cancelTimer();
        int status = head.status().code();
        exchange.upstreamAnswered(status);
        keepAlive = HttpUtil.isKeepAlive(head);
        exchange.attempts().observeQuota(head.headers());
        lastReadNanos = System.nanoTime();
        if (status >= 400) {
            state = State.READING_ERROR;
            errorAnswer = new UpstreamErrorAnswer(head, upstream.alloc(), config.maxErrorBodyBytes());
            // An error body that never ends must not hold the client forever.
            schedule(config.idleTimeout().toNanos());
            return;
        }
        state = State.RELAYING;
        exchange.attempts().served();
        Conversion c = conversion;
        long every = config.streamKeepAlive().toNanos();
        response = c != null
                ? ConvertedResponse.start(client, exchange, head, c, every, () -> lastReadNanos)
                : PassthroughResponse.start(
                        client,
                        exchange,
                        head,
                        exchange.attempts().current().kind().format(),
                        every,
                        () -> lastReadNanos);
        schedule(config.idleTimeout().toNanos());
    }

    /** Takes ownership of {@code content}. */
    void onContent(HttpContent content) {
        lastReadNanos = System.nanoTime();
        boolean last = content instanceof LastHttpContent;
        if (state == State.READING_ERROR) {
            UpstreamErrorAnswer answer = requireNonNull(errorAnswer, "errorAnswer");
            answer.append(content.content());
            content.release();
            if (last) {
                errorAnswer = null;
                detach(upstream.isActive() && answer.keepAlive());
                listener.errorAnswered(answer);
            }
        } else if (state != State.RELAYING) {
            content.release();
        } else if (requireNonNull(response, "response").content(content)) {
            ClientResponse r = requireNonNull(response, "response");
            if (r.ending() == ClientResponse.Ending.TRUNCATED) {
                // an answer cut short is no proof the connection is sound: it is not reused
                detach(false);
                listener.failedMidStream(UpstreamFailure.TRUNCATED, UpstreamFailure.TRUNCATED.description());
            } else {
                detach(keepAlive);
                listener.completed(r.upstreamError());
            }
        } else if (!client.channel().isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    void onReadComplete() {
        if (state == State.RELAYING) {
            client.flush();
        }
    }

    void onClosed() {
        State was = state;
        if (was == State.DETACHED) {
            return;
        }
        if (was == State.READING_ERROR) {
            UpstreamErrorAnswer answer = requireNonNull(errorAnswer, "errorAnswer");
            errorAnswer = null;
            detach(false);
            listener.errorAnswered(answer);
            return;
        }
        detach(false);
        if (was == State.AWAITING_HEAD) {
            // a stale keep-alive connection, or an HTTP/2 stream the upstream never started (GOAWAY, refused)
            listener.closedBeforeHead(reused || pool.unprocessed(upstream));
        } else {
            listener.failedMidStream(UpstreamFailure.RESET, "upstream connection closed mid-stream");
        }
    }

    void onException(Throwable cause) {
        if (cause instanceof EventStreamToSseDecoder.Failure && state == State.RELAYING) {
            // Bedrock ended its stream with an exception frame: the account's cool-down, then the client's error.
            EventStreamToSseDecoder.Failure f = (EventStreamToSseDecoder.Failure) cause;
            detach(false);
            exchange.attempts().failedMidStream(f.failure(), f.getMessage());
            listener.failedMidStream(f.failure(), f.failure().description() + ": " + f.getMessage());
            return;
        }
        if (state != State.DETACHED) {
            logger.debug("[{}] upstream error: {}", exchange.id(), Secrets.redact(String.valueOf(cause)));
            upstream.close();
        }
    }

    /** The gateway is stopping and its drain time is up: ends this call as a failure of our own (no cool-down). */
    void stop() {
        State was = state;
        if (was == State.DETACHED) {
            return;
        }
        detach(false);
        if (was == State.RELAYING) {
            listener.failedMidStream(UpstreamFailure.GATEWAY_STOPPING, STOPPING);
        } else {
            listener.failedBeforeFirstByte(UpstreamFailure.GATEWAY_STOPPING, STOPPING);
        }
    }

    /** The client drained: reading from the upstream goes on ({@code setAutoRead} issues the read). */
    void resume() {
        if (state == State.RELAYING) {
            upstream.config().setAutoRead(true);
        }
    }

    /** The client went away: the usage seen so far becomes final. */
    void clientLeft() {
        ClientResponse r = response;
        if (r != null) {
            r.cancelled();
        }
    }

    /** The client's side of the answer, once the upstream answered with a success. */
    @Nullable
    ClientResponse response() {
        return response;
    }

    /** Leaves the connection: back to the pool when {@code reuse}, else closed. Later events are ignored. */
    void detach(boolean reuse) {
        if (state == State.DETACHED) {
            return;
        }
        state = State.DETACHED;
        cancelTimer();
        if (upstream.pipeline().get(PipelineNames.UPSTREAM_RESPONSE) != null) {
            upstream.pipeline().remove(PipelineNames.UPSTREAM_RESPONSE);
        }
        if (upstream.pipeline().get(PipelineNames.UPSTREAM_EVENT_STREAM) != null) {
            upstream.pipeline().remove(PipelineNames.UPSTREAM_EVENT_STREAM);
        }
        if (reuse) {
            pool.release(upstream, target);
        } else {
            upstream.close();
        }
    }

    /** Drops what is still held (an unfinished error body, the client response's timers and buffers). */
    void release() {
        UpstreamErrorAnswer answer = errorAnswer;
        errorAnswer = null;
        if (answer != null) {
            answer.release();
        }
        ClientResponse r = response;
        response = null;
        if (r != null) {
            r.release();
        }
    }

    private void schedule(long nanos) {
        cancelTimer();
        timer = client.executor().schedule(this::onTimer, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        timer = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void onTimer() {
        timer = null;
        if (state == State.AWAITING_HEAD || state == State.READING_ERROR) {
            detach(false);
            listener.failedBeforeFirstByte(
                    UpstreamFailure.RESPONSE_TIMEOUT,
                    "no response within " + Durations.format(config.responseTimeout()));
        } else if (state == State.RELAYING) {
            long idleNanos = config.idleTimeout().toNanos();
            long silent = System.nanoTime() - lastReadNanos;
            if (!upstream.config().isAutoRead()) {
                // Paused by our own backpressure (slow client): not the upstream's silence.
                lastReadNanos = System.nanoTime();
                schedule(idleNanos);
            } else if (silent < idleNanos) {
                schedule(idleNanos - silent);
            } else {
                detach(false);
                listener.failedMidStream(
                        UpstreamFailure.IDLE_TIMEOUT,
                        "upstream sent nothing for " + Durations.format(config.idleTimeout()));
            }
        }
    }
}
