package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.SessionHash;
import io.relaygate.accounts.state.Admission;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Route;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.server.pipeline.AnswerOrder;
import io.relaygate.server.pipeline.Draining;
import io.relaygate.server.pipeline.EventLoops;
import io.relaygate.server.pipeline.ProxyRequest;
import io.relaygate.server.upstream.OAuthRefresher;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ADMIT: makes the one scheduler call of a request (the key's limits, its concurrency lease, the sticky account and the
 * candidate accounts, in one store round trip), answers refusals itself in the client's format, and hands RELAY an
 * {@link Exchange} with its {@link AccountAttempts}. One exchange at a time per connection: a pipelined request waits
 * here until the current one ends; a third is refused by closing the connection.
 *
 * <p>Per-connection state. Takes ownership of every {@link ProxyRequest} it reads (the exchange releases it).
 */
public final class AdmissionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(AdmissionHandler.class);
    /** Store trouble is logged once per kind and interval with a count: an outage must not flood the log. */
    private static final io.relaygate.core.RepeatedWarnings storeWarnings =
            new io.relaygate.core.RepeatedWarnings(logger);

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    private final Scheduler scheduler;
    private final OAuthRefresher refresher;
    private final Supplier<Catalogue> catalogue;
    private final ExchangeListener listener;
    /** How long a connection idle when a drain began may still bring a request (a proxy mid-send). */
    public static final long IDLE_CLOSE_GRACE_MILLIS = 2000;

    private final int maxAttempts;
    private final Draining draining;
    /** The gateway is stopping: no new request on this connection, which closes once its exchange ended. */
    private boolean stopping;

    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Exchange current;
    /** Whether {@link #current} went on to RELAY, which then ends it. */
    private boolean relaying;

    /** The connection's answer order: requests and earlier stages' answers waiting for the exchange in flight. */
    private @Nullable AnswerOrder order;

    public AdmissionHandler(
            Scheduler scheduler,
            OAuthRefresher refresher,
            Supplier<Catalogue> catalogue,
            ExchangeListener listener,
            int maxAttempts) {
        this(scheduler, refresher, catalogue, listener, maxAttempts, new Draining());
    }

    public AdmissionHandler(
            Scheduler scheduler,
            OAuthRefresher refresher,
            Supplier<Catalogue> catalogue,
            ExchangeListener listener,
            int maxAttempts,
            Draining draining) {
        this.draining = requireNonNull(draining, "draining");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.refresher = requireNonNull(refresher, "refresher");
        this.catalogue = requireNonNull(catalogue, "catalogue");
        this.listener = requireNonNull(listener, "listener");
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.order = AnswerOrder.of(ctx.channel());
    }

    private AnswerOrder order() {
        return requireNonNull(order, "order");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ProxyRequest)) {
            // Nothing but whole requests reaches ADMIT; anything else is dropped, never leaked.
            ReferenceCountUtil.release(msg);
            return;
        }
        ProxyRequest request = (ProxyRequest) msg;
        if (!ctx.channel().isActive()) {
            // The client left while an earlier stage held this request (AUTH's key lookup): channelInactive has
            // already run, so nothing would release it later.
            request.release();
            return;
        }
        if (current == null) {
            admit(request);
        } else if (order().waitingRequests() == 0) {
            order().enqueue(request);
        } else {
            request.release();
            ctx.close();
        }
    }

    private void admit(ProxyRequest request) {
        ChannelHandlerContext c = requireNonNull(ctx, "ctx");
        Exchange ex = new Exchange(request, c, listener, catalogue, this::ended);
        current = ex;
        order().started();
        draining.exchangeStarted();
        relaying = false;
        Scheduler.Demand demand = demand(request);
        EventLoops.onLoop(scheduler.schedule(demand), c.executor(), (decision, error) -> {
            if (ex.isFinished()) {
                // The client left while the request was being scheduled: give back what it took.
                if (decision instanceof Scheduler.Admitted && ((Scheduler.Admitted) decision).leaseHeld()) {
                    scheduler.release(demand.key(), demand.requestId());
                }
                return;
            }
            if (error != null) {
                storeWarnings.warn(
                        "account-lookup",
                        "[" + ex.id() + "] account lookup failed: " + Secrets.redact(String.valueOf(error)));
                ex.respondError(ErrorKind.UNAVAILABLE, "account store unavailable, try again", null);
            } else if (decision instanceof Scheduler.Refused) {
                Scheduler.Refused refused = (Scheduler.Refused) decision;
                securityLog.info(
                        "[{}] key {} refused: {}", ex.id(), request.info.key().name(), refused.message());
                refuse(ex, refused, request.info.route.format());
            } else if (decision instanceof Scheduler.Unavailable) {
                Scheduler.Unavailable none = (Scheduler.Unavailable) decision;
                ex.passedOver(none.skipped());
                Instant retryAt = none.retryAt();
                ex.respondError(none.kind(), none.message(), retryAt == null ? null : scheduler.secondsUntil(retryAt));
            } else {
                Scheduler.Admitted admitted = (Scheduler.Admitted) decision;
                if (request.info.route == Route.MESSAGES
                        && SpendStanding.capped(request.info.key().rules())) {
                    SpendStanding fullest = SpendStanding.fullest(SpendStanding.of(
                            request.info.key().rules(),
                            admitted.spend(),
                            scheduler.clock().instant()));
                    ex.usageLimitHeaders(fullest == null ? Map.of() : UsageLimitHeaders.allowed(fullest));
                }
                ex.admitted(new AccountAttempts(scheduler, refresher, demand, admitted, maxAttempts, listener));
                if (admitted.leaseHeld()) {
                    ex.holdLease(scheduler, scheduler.config().leaseTtl().toNanos() / 3);
                }
                relaying = true;
                c.fireChannelRead(ex);
            }
        });
    }

    /**
     * A key limit refused the request. A reached cost cap is Claude Code's gateway protocol's {@code 429 billing_error}
     * with the usage-limit headers, for clients that speak Anthropic's format; every other refusal is a rate limit.
     */
    private void refuse(Exchange ex, Scheduler.Refused refused, WireFormat format) {
        Admission a = refused.admission();
        Long retryAfter = scheduler.retryAfterSeconds(a);
        if (format != WireFormat.ANTHROPIC || !a.refusedForCost()) {
            ex.refuse(ErrorKind.RATE_LIMIT, refused.message(), retryAfter);
            return;
        }
        String period = a.limit() == Admission.Limit.DAILY_COST
                ? "daily"
                : a.limit() == Admission.Limit.WEEKLY_COST ? "weekly" : "total";
        ex.refuse(
                ErrorKind.BILLING,
                refused.message() + "; ask the gateway's operator to raise the limit",
                retryAfter,
                UsageLimitHeaders.rejected(period, a.resetAt()));
    }

    /** What the scheduler is asked for: Anthropic requests may also go to OpenAI accounts, converted. */
    private static Scheduler.Demand demand(ProxyRequest request) {
        return new Scheduler.Demand(
                request.info.key(),
                Conversion.servingFormats(request.info.route),
                request.skim.model(),
                request.info.route == Route.MODELS
                        ? null
                        : SessionHash.of(
                                request.client.sessionId(),
                                request.skim.firstSystemText(),
                                request.skim.firstUserText()),
                request.info.id,
                describe(request.info.route.format()));
    }

    private static String describe(WireFormat format) {
        switch (format) {
            case ANTHROPIC:
                return "Anthropic Messages";
            case OPENAI_CHAT:
                return "OpenAI Chat";
            default:
                return "OpenAI Responses";
        }
    }

    /** The current exchange ended (on this event loop): the next pipelined request goes, if the connection is fit. */
    private void ended(Exchange ex, boolean clientStillUsable) {
        draining.exchangeEnded();
        if (current != ex) {
            return;
        }
        current = null;
        relaying = false;
        // Answers earlier stages gave later pipelined requests go out now, in order, up to the next whole request.
        ProxyRequest next = order().next();
        if (stopping) {
            // the answer's last bytes go out first, then the connection closes (nginx retries elsewhere)
            ChannelHandlerContext c = requireNonNull(ctx, "ctx");
            c.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            if (next != null) {
                next.release();
            }
            return;
        }
        if (next == null) {
            return;
        }
        if (clientStillUsable && requireNonNull(ctx, "ctx").channel().isActive()) {
            admit(next);
        } else {
            next.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ProxyRequest q : order().clear()) {
            q.release();
        }
        Exchange ex = current;
        if (ex != null && !relaying) {
            ex.finish(ExchangeOutcome.End.CLIENT_CANCELLED, false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Draining.Event.STOP) {
            stopping = true;
            // An idle connection is not closed under a request a proxy may be sending on it right now: requests that
            // come in the meantime are served with Connection: close; one still idle after a grace period closes.
            ctx.executor()
                    .schedule(
                            () -> {
                                if (current == null) {
                                    ctx.close();
                                }
                            },
                            IDLE_CLOSE_GRACE_MILLIS,
                            TimeUnit.MILLISECONDS);
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // An idle keep-alive connection closes; one waiting on a slow upstream stays (upstream timeouts apply).
            if (current == null) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
