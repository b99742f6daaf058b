package io.relaygate.server.relay;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Secrets;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.config.UpstreamConfig;
import io.relaygate.server.exchange.AccountAttempts;
import io.relaygate.server.exchange.Exchange;
import io.relaygate.server.exchange.ExchangeOutcome.End;
import io.relaygate.server.pipeline.Draining;
import io.relaygate.server.pipeline.EventLoops;
import io.relaygate.server.upstream.BedrockCountTokens;
import io.relaygate.server.upstream.TokenCalls;
import io.relaygate.server.upstream.UpstreamConnections;
import io.relaygate.server.upstream.UpstreamTarget;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RELAY: takes an admitted {@link Exchange} from ADMIT and tries its accounts in turn: refreshes a due subscription
 * token, connects on a pooled connection bound to this channel's event loop, and lets an {@link UpstreamCall} send the
 * request and stream the answer back (untouched, or converted when the formats differ), with backpressure. A retryable
 * failure before the first byte reached the client moves on to the next account (the exchange's
 * {@link AccountAttempts} decide which, and tell the scheduler); after it, the client's stream ends with an error event
 * in its format. A client disconnect closes the upstream connection; the usage seen so far is still reported.
 *
 * <p>Per-connection state, one exchange at a time (ADMIT holds pipelined requests back).
 */
public final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter implements UpstreamCall.Listener {

    private static final Logger logger = LoggerFactory.getLogger(UpstreamRelayHandler.class);

    /** REFRESHING: a subscription account's token is being refreshed; CALLING: an {@link UpstreamCall} is under way. */
    private enum State {
        IDLE,
        REFRESHING,
        CONNECTING,
        CALLING,
    }

    private final UpstreamConnections pool;
    private final UpstreamConfig config;

    private State state = State.IDLE;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Exchange exchange;
    private @Nullable UpstreamCall call;

    public UpstreamRelayHandler(UpstreamConnections pool, UpstreamConfig config) {
        this.pool = requireNonNull(pool, "pool");
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange)) {
            // Only admitted exchanges reach RELAY; anything else is dropped, never leaked.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state != State.IDLE) { // ADMIT hands over one exchange at a time: a second one cannot be served here
            ((Exchange) msg).finish(End.ERROR, false);
            ctx.close();
            return;
        }
        this.ctx = ctx;
        exchange = (Exchange) msg;
        tryAccount();
    }

    private void tryAccount() {
        AccountAttempts attempts = ex().attempts();
        if (attempts.refreshDue()) {
            refreshThenTry(false);
        } else {
            connectTo(attempts.current());
        }
    }

    /** Refreshes the current account's token, then tries it; a refused refresh moves on to the next account. */
    private void refreshThenTry(boolean force) {
        Exchange ex = ex();
        state = State.REFRESHING;
        EventLoops.onLoop(ex.attempts().refresh(force), ctx().executor(), (fresh, error) -> {
            if (exchange != ex || state != State.REFRESHING) {
                return;
            }
            if (error != null) {
                // The refresher has put the account out of rotation itself, with the token endpoint's reason.
                String why = Secrets.redact(String.valueOf(error.getMessage()));
                failedBeforeFirstByte(UpstreamFailure.UNAUTHORIZED, "access token refresh failed: " + why);
            } else if (ex.attempts().refreshed(fresh, force)) {
                connectTo(fresh);
            } else {
                tryAccount();
            }
        });
    }

    private void connectTo(Account a) {
        Exchange ex = ex();
        ex.attempts().connecting();
        UpstreamTarget target;
        try {
            target = UpstreamTarget.of(a);
        } catch (IllegalArgumentException e) {
            failedBeforeFirstByte(UpstreamFailure.CONNECT_FAILED, e.getMessage());
            return;
        }
        if (LocalCountTokens.applies(ex, a)) {
            TokenCalls calls = a.kind() == AccountKind.BEDROCK
                    ? pool.oneOffCalls(ctx().channel().eventLoop())
                    : null;
            if (calls != null) {
                countOnBedrock(ex, a, calls);
            } else {
                end(ex, LocalCountTokens::answer);
            }
            return;
        }
        if (CloudModelList.applies(ex, a)) {
            end(ex, x -> CloudModelList.answer(x, a));
            return;
        }
        Conversion conversion;
        try {
            conversion = ConvertedResponse.conversionFor(ex.request(), a, ex.catalogue());
        } catch (GatewayException e) {
            end(ex, x -> x.respondError(e.kind(), e.getMessage(), null));
            return;
        }
        ex.upstreamModel(conversion == null ? null : conversion.upstreamModel());
        state = State.CONNECTING;
        UpstreamCall.open(ex, ctx(), pool, target, config, this, conversion, c -> {
            if (exchange != ex || state != State.CONNECTING) {
                return false; // the exchange ended while connecting
            }
            if (c != null) {
                state = State.CALLING;
                call = c;
            }
            return true;
        });
    }

    /**
     * {@code count_tokens} through Bedrock's CountTokens, on this event loop and the account's proxy, else counted
     * here ({@link BedrockCountTokens}).
     */
    private void countOnBedrock(Exchange ex, Account a, TokenCalls calls) {
        state = State.CONNECTING;
        EventLoops.onLoop(
                BedrockCountTokens.count(calls, a, ex.request().request.content(), ex.catalogue()),
                ctx().executor(),
                (counted, error) -> {
                    if (exchange != ex || state != State.CONNECTING) {
                        return; // the client left meanwhile
                    }
                    if (counted != null && counted.isPresent()) {
                        end(ex, x -> x.respondJson("{\"input_tokens\":" + counted.getAsLong() + "}"));
                    } else {
                        end(ex, LocalCountTokens::answer);
                    }
                });
    }

    // ---- what the upstream call reports (on this event loop, the call already detached) ----

    @Override
    public void closedBeforeHead(boolean reused) {
        if (ex().attempts().retryStaleConnection(reused)) {
            // A pooled keep-alive connection the upstream closed just as we used it: try once more, fresh.
            releaseCall();
            tryAccount();
        } else {
            failedBeforeFirstByte(UpstreamFailure.RESET, "connection closed before the response");
        }
    }

    @Override
    public void errorAnswered(UpstreamErrorAnswer answer) {
        Exchange ex = ex();
        try {
            UpstreamErrorAnswer.Next next = answer.next(ex);
            if (next == UpstreamErrorAnswer.Next.ANSWER) {
                end(ex, answer::answer);
                return;
            }
            releaseCall();
            if (next == UpstreamErrorAnswer.Next.REFRESH_AND_RETRY) {
                refreshThenTry(true);
            } else {
                tryAccount();
            }
        } finally {
            answer.release();
        }
    }

    @Override
    public void completed(@Nullable String upstreamError) {
        // The outcome (usage) is reported before the final flush: whoever sees the end of the response can rely on
        // its usage being recorded.
        Exchange ex = ex();
        if (upstreamError == null) {
            end(ex, x -> x.finish(End.COMPLETED, true));
        } else {
            // the upstream's own error event reached the client in its format; the stream itself ended well
            ex.failedWith(upstreamError);
            end(ex, x -> x.finish(End.UPSTREAM_ERROR, true));
        }
        ctx().flush();
    }

    @Override
    public void failedMidStream(UpstreamFailure failure, String message) {
        Exchange ex = ex();
        ClientResponse response = requireNonNull(requireNonNull(call, "call").response(), "response");
        ClientResponse.Failure result = response.failMidStream(failure, message);
        if (result != ClientResponse.Failure.COMPLETE) {
            ex.failedWith(failure);
        }
        switch (result) {
            // the answer was whole before the connection failed: it ends as a success (or the upstream's own error)
            case COMPLETE -> completed(response.upstreamError());
            case ANSWER_ERROR -> end(ex, x -> x.respondError(failure.errorKind(), message, null));
            case STREAM_ENDED -> end(ex, x -> x.finish(End.UPSTREAM_FAILED_MID_STREAM, true));
            case CUT -> {
                end(ex, x -> x.finish(End.UPSTREAM_FAILED_MID_STREAM, false));
                ctx().close();
            }
        }
    }

    @Override
    public void failedBeforeFirstByte(UpstreamFailure failure, @Nullable String detail) {
        releaseCall();
        Exchange ex = ex();
        AccountAttempts attempts = ex.attempts();
        String account = attempts.current().name();
        String message = failure.description() + (detail == null ? "" : ": " + detail);
        // A refused token refresh (the only UNAUTHORIZED here) was put on the account by the refresher itself.
        if (failure == UpstreamFailure.UNAUTHORIZED) {
            attempts.noteError("unauthorized");
        }
        if (failure == UpstreamFailure.UNAUTHORIZED ? attempts.moveOn() : attempts.failed(failure, message, null)) {
            logger.debug("[{}] account {} failed: {}", ex.id(), account, Secrets.redact(message));
            tryAccount();
            return;
        }
        // The detail (an address, a proxy's answer) stays in the gateway's log: the client is not told where the
        // accounts live.
        logger.warn("[{}] account {} failed: {}", ex.id(), account, Secrets.redact(message));
        end(ex, x -> x.respondError(failure.errorKind(), failure.description(), null));
    }

    // ---- client channel events ----

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamCall c = call;
        if (ctx.channel().isWritable() && c != null) {
            c.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        if (ex != null) {
            if (call != null) {
                requireNonNull(call, "call").clientLeft();
            }
            end(ex, x -> x.finish(End.CLIENT_CANCELLED, false));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != Draining.Event.DEADLINE || exchange == null) {
            ctx.fireUserEventTriggered(evt);
        } else if (call != null) {
            requireNonNull(call, "call").stop();
        } else {
            failedBeforeFirstByte(UpstreamFailure.GATEWAY_STOPPING, UpstreamCall.STOPPING);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("[{}] client connection error: {}", ctx.channel().id(), Secrets.redact(String.valueOf(cause)));
        ctx.close();
    }

    /**
     * Detaches from {@code ex} (a call still on its connection closes it), then lets {@code ending} end it; that may start
     * the next exchange here at once, so only locals are touched after it (the call's holdings, released last).
     */
    private void end(Exchange ex, Consumer<Exchange> ending) {
        UpstreamCall c = call;
        call = null;
        exchange = null;
        state = State.IDLE;
        if (c != null) {
            c.detach(false);
        }
        try {
            ending.accept(ex);
            if (!ex.isFinished()) {
                ex.finish(End.ERROR, true);
            }
        } finally {
            if (c != null) {
                c.release();
            }
        }
    }

    /** Leaves the current call (its connection closed unless detached already) before the next attempt. */
    private void releaseCall() {
        UpstreamCall c = call;
        call = null;
        if (c != null) {
            c.detach(false);
            c.release();
        }
    }

    private Exchange ex() {
        return requireNonNull(exchange, "exchange");
    }

    private ChannelHandlerContext ctx() {
        return requireNonNull(ctx, "ctx");
    }
}
