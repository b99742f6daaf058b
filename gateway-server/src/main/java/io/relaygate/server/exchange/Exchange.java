package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.accounts.Scheduler;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.Usage;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.Quote;
import io.relaygate.server.pipeline.ErrorAnswer;
import io.relaygate.server.pipeline.ErrorResponder;
import io.relaygate.server.pipeline.ProxyRequest;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's life from ADMIT to its outcome: the request (owned: released when the exchange ends), the accounts it
 * may try ({@link AccountAttempts}, once admitted), its concurrency lease, what the client has been sent so far, and
 * the usage. It ends exactly once, with {@link #finish}, which reports an {@link ExchangeOutcome} (priced) to the
 * listener and hands the connection back to ADMIT for the next pipelined request.
 *
 * <p>Confined to the client channel's event loop.
 */
public final class Exchange {

    private static final Logger logger = LoggerFactory.getLogger(Exchange.class);

    /** Called once when the exchange ends; {@code clientStillUsable} is false when the connection must not be reused. */
    interface Done {
        void ended(Exchange exchange, boolean clientStillUsable);
    }

    private final ProxyRequest request;
    private final ChannelHandlerContext ctx;
    private final ExchangeListener listener;
    private final Supplier<Catalogue> catalogue;
    private final Done done;

    private @Nullable AccountAttempts attempts;
    /** Why the scheduler passed over accounts when it found none to admit (with attempts, theirs is used). */
    private java.util.Map<String, String> skipped = java.util.Map.of();

    private @Nullable Scheduler leaseScheduler;
    private @Nullable ScheduledFuture<?> leaseTimer;

    private int status;
    private int upstreamStatus;
    private long firstByteNanos = -1;
    private Supplier<Usage> usage = () -> Usage.ZERO;
    private @Nullable String upstreamModel;
    private @Nullable String errorClass;
    private boolean finished;
    /**
     * For a key with a cost cap on {@code POST /v1/messages}: the usage-limit headers its answer carries instead of the
     * upstream's own {@code anthropic-ratelimit-*} ones (empty when its standing is unknown); null for other keys and
     * routes, whose answers keep the upstream's headers untouched.
     */
    private java.util.@Nullable Map<String, String> usageLimitHeaders;

    Exchange(
            ProxyRequest request,
            ChannelHandlerContext ctx,
            ExchangeListener listener,
            Supplier<Catalogue> catalogue,
            Done done) {
        this.request = requireNonNull(request, "request");
        this.ctx = requireNonNull(ctx, "ctx");
        this.listener = requireNonNull(listener, "listener");
        this.catalogue = requireNonNull(catalogue, "catalogue");
        this.done = requireNonNull(done, "done");
        request.info.admitted();
        listener.onStart();
    }

    public ProxyRequest request() {
        return request;
    }

    public String id() {
        return request.info.id;
    }

    /** The accounts this exchange may try; only RELAY calls it, after ADMIT admitted the request. */
    public AccountAttempts attempts() {
        return requireNonNull(attempts, "attempts");
    }

    /** Records why the scheduler passed over accounts, when none was left to admit the request with. */
    void passedOver(java.util.Map<String, String> why) {
        skipped = why;
    }

    void admitted(AccountAttempts a) {
        attempts = a;
    }

    /** Keeps the request's concurrency lease alive every {@code everyNanos} until the exchange ends. */
    void holdLease(Scheduler scheduler, long everyNanos) {
        leaseScheduler = scheduler;
        String leaseId = id();
        leaseTimer = ctx.executor()
                .scheduleAtFixedRate(
                        () -> scheduler.renew(request.info.key(), leaseId),
                        everyNanos,
                        everyNanos,
                        TimeUnit.NANOSECONDS);
    }

    public boolean isFinished() {
        return finished;
    }

    /** An upstream answered with {@code code} (the client gets the same status unless the gateway answers itself). */
    public void upstreamAnswered(int code) {
        status = code;
        upstreamStatus = code;
        AccountAttempts a = attempts;
        if (a != null) {
            a.answered(code);
        }
    }

    /** The response head (or a whole answer) went to the client now. */
    public void firstByteSent() {
        if (firstByteNanos < 0) {
            firstByteNanos = System.nanoTime();
            if (request.skim.stream()) {
                listener.onStreamStart();
            }
        }
    }

    public boolean headSent() {
        return firstByteNanos >= 0;
    }

    /** Where the usage of the answer is read from when the exchange ends. */
    public void usageFrom(Supplier<Usage> source) {
        usage = requireNonNull(source, "source");
    }

    /** The model the account was asked for, when the request was converted and its model mapped. */
    public void upstreamModel(@Nullable String model) {
        upstreamModel = model == null || model.isEmpty() ? null : model;
    }

    /** Names what went wrong for the request log: an error kind, {@code upstream_<status>} or an upstream failure. */
    public void failedWith(String what) {
        errorClass = what;
    }

    /** The upstream (or the gateway stopping) failed the exchange after its answer had started. */
    public void failedWith(UpstreamFailure failure) {
        errorClass = failure.name().toLowerCase(Locale.ROOT);
    }

    /** Answers with the gateway's own error in the client's format and ends the exchange. */
    public void respondError(ErrorKind kind, String message, @Nullable Long retryAfter) {
        errorClass = kind.name().toLowerCase(Locale.ROOT);
        status = kind.status();
        ErrorResponder.sendNow(
                ctx,
                ErrorAnswer.of(request.info.route.format(), kind, message)
                        .requestId(id())
                        .retryAfter(retryAfter));
        finish(ExchangeOutcome.End.ERROR, true);
    }

    /** Refuses the request (a limit) with the gateway's own error in the client's format and ends the exchange. */
    public void refuse(ErrorKind kind, String message, @Nullable Long retryAfter) {
        refuse(kind, message, retryAfter, java.util.Map.of());
    }

    /** Like {@link #refuse(ErrorKind, String, Long)}, with {@code headers} added to the answer. */
    public void refuse(
            ErrorKind kind, String message, @Nullable Long retryAfter, java.util.Map<String, String> headers) {
        errorClass = kind.name().toLowerCase(Locale.ROOT);
        status = kind.status();
        ErrorResponder.sendNow(
                ctx,
                ErrorAnswer.of(request.info.route.format(), kind, message)
                        .requestId(id())
                        .retryAfter(retryAfter)
                        .headers(headers));
        finish(ExchangeOutcome.End.REFUSED, true);
    }

    void usageLimitHeaders(java.util.Map<String, String> headers) {
        usageLimitHeaders = headers;
    }

    /**
     * The usage-limit headers of a successful answer, which replace the upstream's {@code anthropic-ratelimit-*} ones;
     * null when the upstream's headers go to the client untouched (a key without a cost cap).
     */
    public java.util.@Nullable Map<String, String> usageLimitHeaders() {
        return usageLimitHeaders;
    }

    /** Answers with an upstream's own error body (already in the client's format) and ends the exchange. */
    public void respondRaw(int code, byte[] body, @Nullable Long retryAfter) {
        errorClass = "upstream_" + code;
        status = code;
        ErrorResponder.sendRaw(ctx, code, body, id(), retryAfter);
        finish(ExchangeOutcome.End.ERROR, true);
    }

    /** Answers 200 with {@code json} (an answer the gateway computed itself) and ends the exchange. */
    public void respondJson(String json) {
        status = 200;
        firstByteSent();
        ErrorResponder.sendJson(ctx, 200, json, id());
        finish(ExchangeOutcome.End.COMPLETED, true);
    }

    /** The catalogue snapshot in use now (model tiers and max output for conversions, prices at the end). */
    public Catalogue catalogue() {
        return catalogue.get();
    }

    /**
     * Ends the exchange once: gives the lease back (or leaves it to the usage write), reports the outcome, releases
     * the request and lets ADMIT start the next one. Later calls do nothing.
     */
    public void finish(ExchangeOutcome.End end, boolean clientStillUsable) {
        if (finished) {
            return;
        }
        finished = true;
        String leaseToRecord = releaseLease();
        try {
            listener.onExchange(outcome(end, leaseToRecord));
        } catch (RuntimeException e) {
            logger.warn("[{}] exchange listener failed: {}", id(), e.toString());
        } finally {
            request.release();
        }
        done.ended(this, clientStillUsable);
    }

    private ExchangeOutcome outcome(ExchangeOutcome.End end, @Nullable String leaseToRecord) {
        long now = System.nanoTime();
        Usage used = usage.get();
        AccountAttempts a = attempts;
        Account account = a == null ? null : a.currentOrNull();
        String model = upstreamModel != null ? upstreamModel : request.skim.model();
        Quote quote = model == null ? null : catalogue.get().quote(model);
        long cost = quote == null ? 0 : quote.costMicros(used);
        long start = request.info.startNanos;
        var rules = request.info.key().rules();
        return new ExchangeOutcome(
                id(),
                request.info.key().id(),
                request.info.key().name(),
                request.info.route,
                request.client.kind(),
                request.skim.model(),
                account == null ? null : account.id(),
                account == null ? null : account.name(),
                account == null ? null : model,
                end == ExchangeOutcome.End.CLIENT_CANCELLED && !headSent() ? 0 : status,
                upstreamStatus,
                end,
                used,
                TimeUnit.NANOSECONDS.toMillis(now - start),
                firstByteNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstByteNanos - start),
                cost,
                quote == null ? null : quote.basis(),
                quote == null ? null : quote.pricedAs(),
                rules.maxTokens() == null ? null : rules.tokenWindow(),
                rules.limitsUsage(),
                io.relaygate.accounts.state.UsageRecord.costLimitsOf(rules),
                leaseToRecord,
                request.client.version(),
                request.skim.stream(),
                request.skim.messageCount(),
                account == null ? 0 : requireNonNull(a, "attempts").tried(),
                errorClass,
                request.info.clientAddress,
                a == null ? List.of() : a.log(used, errorClass),
                a == null ? List.of() : a.candidateNames(),
                a == null ? skipped : a.skipped());
    }

    /**
     * Stops renewing the lease and gives it back, or, for a key whose usage is written at once, returns its id so that
     * the usage write gives it back (one store command instead of two). Null when nothing is left to give back.
     */
    private @Nullable String releaseLease() {
        ScheduledFuture<?> t = leaseTimer;
        leaseTimer = null;
        if (t != null) {
            t.cancel(false);
        }
        Scheduler s = leaseScheduler;
        leaseScheduler = null;
        if (s == null) {
            return null;
        }
        if (request.info.key().rules().limitsUsage()) {
            return id();
        }
        s.release(request.info.key(), id());
        return null;
    }
}
