package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.SessionHash;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.codec.chat.TokenEstimator;
import io.relaygate.codec.client.ClaudeCodeAdaptation;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.codec.convert.UsageTap;
import io.relaygate.codec.sse.ErrorEvents;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import io.relaygate.core.Secrets;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.Usage;
import io.relaygate.core.WireFormat;
import io.relaygate.core.config.UpstreamConfig;
import io.relaygate.core.pricing.PriceTable;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RELAY: picks an upstream account for a {@link ProxyRequest}, sends it on a pooled connection bound to this channel's
 * event loop, and streams the response back chunk by chunk, forwarding the upstream's buffers untouched.
 *
 * <ul>
 *   <li>Backpressure: when this channel is not writable the upstream channel's autoRead goes off; it goes back on when
 *       this channel drains below its low water mark.
 *   <li>Cancellation: a client disconnect closes the upstream connection; usage seen so far is still reported.
 *   <li>Failover: a retryable failure before the first byte reached the client moves on to the next candidate
 *       account, each tried at most once, up to {@code upstream.maxAttempts}.
 *   <li>After the first byte, an upstream failure ends an SSE stream with an {@code error} event in the client's
 *       format.
 * </ul>
 *
 * <p>Per-connection state; one exchange at a time (a pipelined request waits in {@link #queued}).
 */
final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(UpstreamRelayHandler.class);
    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");
    private static final byte[] ANTHROPIC_PING =
            "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SSE_COMMENT = ": keep-alive\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final com.fasterxml.jackson.databind.ObjectMapper COUNT_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private enum State {
        IDLE,
        SELECTING,
        /** Waiting for a subscription account's access token to be refreshed. */
        REFRESHING,
        CONNECTING,
        AWAITING_HEAD,
        READING_ERROR,
        RELAYING,
    }

    private final Scheduler scheduler;
    private final OAuthRefresher refresher;
    /** Whether this exchange already refreshed a token the upstream refused (once per exchange). */
    private boolean refreshedAfter401;

    private final PriceTable prices;
    private final UpstreamPool pool;
    private final UpstreamConfig config;
    private final ExchangeListener listener;

    private State state = State.IDLE;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ProxyRequest current;
    private @Nullable ProxyRequest queued;
    private List<Account> candidates = List.of();
    private int attempt;
    private @Nullable Account account;
    private @Nullable UpstreamTarget target;
    private @Nullable Channel upstream;
    private boolean reusedConnection;
    private boolean retriedStale;
    private @Nullable ScheduledFuture<?> timer;
    private long lastUpstreamReadNanos;
    /** Last keep-alive sent to the client during this exchange, or 0. */
    private long lastKeepAliveNanos;
    /** Whether the bytes relayed so far end between two SSE events, where a keep-alive may go. */
    private boolean atEventBoundary = true;

    private @Nullable ScheduledFuture<?> keepAliveTimer;

    private int status;
    /** The last status an upstream answered this exchange with (0: none answered). */
    private int upstreamStatus;

    private boolean headSent;
    private boolean sse;
    private long firstByteNanos = -1;
    private @Nullable UsageTap tap;
    private @Nullable HttpResponse errorHead;
    private @Nullable ByteBuf errorBody;
    private boolean upstreamKeepAlive = true;
    private @Nullable Conversion conversion;
    private @Nullable ResponseConverter converter;
    private Scheduler.@Nullable Demand demand;
    private boolean leaseHeld;
    private @Nullable String stickyAccountId;
    private @Nullable ScheduledFuture<?> leaseTimer;
    private @Nullable String errorClass;

    UpstreamRelayHandler(
            Scheduler scheduler,
            PriceTable prices,
            UpstreamPool pool,
            UpstreamConfig config,
            ExchangeListener listener,
            OAuthRefresher refresher) {
        this.refresher = requireNonNull(refresher, "refresher");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.prices = requireNonNull(prices, "prices");
        this.pool = requireNonNull(pool, "pool");
        this.config = requireNonNull(config, "config");
        this.listener = requireNonNull(listener, "listener");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ProxyRequest)) {
            // Nothing but whole requests reaches RELAY; anything else is dropped, never leaked.
            ReferenceCountUtil.release(msg);
            return;
        }
        ProxyRequest request = (ProxyRequest) msg;
        if (state != State.IDLE) {
            if (queued != null) {
                request.release();
                ctx.close();
                return;
            }
            queued = request;
            return;
        }
        start(request);
    }

    private void start(ProxyRequest request) {
        current = request;
        resetExchange();
        state = State.SELECTING;
        WireFormat format = request.info.route.format();
        // Anthropic requests may also go to OpenAI Chat accounts, converted; same-format accounts rank first on ties.
        List<WireFormat> formats = Conversion.servingFormats(request.info.route);
        Scheduler.Demand d = new Scheduler.Demand(
                request.info.key(),
                formats,
                request.skim.model(),
                request.info.route == Route.MODELS
                        ? null
                        : SessionHash.of(
                                request.client.sessionId(),
                                request.skim.firstSystemText(),
                                request.skim.firstUserText()),
                request.info.id,
                describe(format));
        demand = d;
        EventLoops.onLoop(scheduler.schedule(d), ctx().executor(), (decision, error) -> {
            if (current != request) {
                // the client left while the request was being scheduled: give back what it took
                if (decision instanceof Scheduler.Admitted && ((Scheduler.Admitted) decision).leaseHeld()) {
                    scheduler.release(d.key(), d.requestId());
                }
                return;
            }
            if (error != null) {
                logger.warn("[{}] account lookup failed: {}", request.info.id, Secrets.redact(String.valueOf(error)));
                respondError(ErrorKind.UNAVAILABLE, "account store unavailable, try again", null);
                return;
            }
            if (decision instanceof Scheduler.Refused) {
                Scheduler.Refused refused = (Scheduler.Refused) decision;
                securityLog.info(
                        "[{}] key {} refused: {}",
                        request.info.id,
                        request.info.key().name(),
                        refused.message());
                respondError(ErrorKind.RATE_LIMIT, refused.message(), scheduler.retryAfterSeconds(refused.admission()));
                return;
            }
            if (decision instanceof Scheduler.Unavailable) {
                Scheduler.Unavailable none = (Scheduler.Unavailable) decision;
                java.time.Instant retryAt = none.retryAt();
                respondError(none.kind(), none.message(), retryAt == null ? null : scheduler.secondsUntil(retryAt));
                return;
            }
            Scheduler.Admitted admitted = (Scheduler.Admitted) decision;
            candidates = admitted.accounts();
            stickyAccountId = admitted.stickyAccountId();
            if (admitted.leaseHeld()) {
                leaseHeld = true;
                long every = scheduler.config().leaseTtl().toNanos() / 3;
                leaseTimer = ctx().executor()
                        .scheduleAtFixedRate(
                                () -> scheduler.renew(d.key(), d.requestId()), every, every, TimeUnit.NANOSECONDS);
            }
            attempt = 0;
            tryAccount();
        });
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

    private void tryAccount() {
        Account a = candidates.get(attempt);
        account = a;
        if (refresher.due(a)) {
            refreshThenTry(a, false);
            return;
        }
        connectTo(a);
    }

    private void connectTo(Account a) {
        scheduler.tried(a);
        UpstreamTarget t;
        try {
            t = UpstreamTarget.of(a);
        } catch (IllegalArgumentException e) {
            failBeforeFirstByte(UpstreamFailure.CONNECT_FAILED, e.getMessage());
            return;
        }
        target = t;
        ProxyRequest request = requireNonNull(current, "current");
        conversion = null;
        if (request.info.route == Route.COUNT_TOKENS && a.kind().format() != WireFormat.ANTHROPIC) {
            // Chat servers have no count_tokens: the gateway counts with OpenAI's tokenizer itself.
            answerCountLocally(request);
            return;
        }
        if (Conversion.needed(request.info.route, request.info.openAiCaller, a)) {
            try {
                conversion = Conversion.prepare(
                        request.info.route,
                        request.info.openAiCaller,
                        request.skim,
                        request.client.kind(),
                        request.request.content(),
                        a);
            } catch (GatewayException e) {
                respondError(e.kind(), e.getMessage(), null);
                return;
            }
        }
        state = State.CONNECTING;
        pool.acquire(ctx().channel().eventLoop(), t).addListener((Future<UpstreamPool.Lease> f) -> {
            if (current != request || state != State.CONNECTING) {
                if (f.isSuccess()) {
                    f.getNow().channel().close();
                }
                return;
            }
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                boolean timeout = cause instanceof io.netty.channel.ConnectTimeoutException;
                failBeforeFirstByte(
                        timeout ? UpstreamFailure.CONNECT_TIMEOUT : UpstreamFailure.CONNECT_FAILED,
                        cause instanceof ConnectException || timeout
                                ? cause.getMessage()
                                : cause.getClass().getSimpleName() + ": " + cause.getMessage());
                return;
            }
            send(f.getNow());
        });
    }

    /**
     * Refreshes {@code a}'s access token (here or on another gateway), then tries it again; when the token endpoint
     * refuses, the account is out of rotation and the request moves on to the next candidate.
     */
    private void refreshThenTry(Account a, boolean force) {
        ProxyRequest request = requireNonNull(current, "current");
        state = State.REFRESHING;
        EventLoops.onLoop(refresher.fresh(a, force), ctx().executor(), (fresh, error) -> {
            if (current != request || state != State.REFRESHING) {
                return;
            }
            if (error != null) {
                failBeforeFirstByte(
                        UpstreamFailure.UNAUTHORIZED,
                        "access token refresh failed: " + Secrets.redact(String.valueOf(error.getMessage())));
                return;
            }
            if (candidates.get(attempt) != fresh) {
                List<Account> copy = new java.util.ArrayList<>(candidates);
                copy.set(attempt, fresh);
                candidates = copy;
            }
            if (!force && refresher.due(fresh)) {
                // The endpoint gave a token that is due at once: use it rather than refresh in a loop.
                account = fresh;
                connectTo(fresh);
                return;
            }
            tryAccount();
        });
    }

    private void answerCountLocally(ProxyRequest request) {
        long tokens;
        try (io.netty.buffer.ByteBufInputStream in =
                new io.netty.buffer.ByteBufInputStream(request.request.content().duplicate())) {
            tokens = TokenEstimator.count(COUNT_JSON.readTree((java.io.InputStream) in));
        } catch (java.io.IOException e) {
            respondError(ErrorKind.INVALID_REQUEST, "request body is not valid JSON", null);
            return;
        }
        status = 200;
        headSent = true;
        firstByteNanos = System.nanoTime();
        ErrorResponder.sendJson(ctx(), 200, "{\"input_tokens\":" + tokens + "}", request.info.id);
        finishExchange(ExchangeOutcome.End.COMPLETED, true);
    }

    private void send(UpstreamPool.Lease lease) {
        ProxyRequest request = requireNonNull(current, "current");
        Channel ch = lease.channel();
        upstream = ch;
        reusedConnection = lease.reused();
        state = State.AWAITING_HEAD;
        ch.pipeline().addLast(PipelineNames.UPSTREAM_RESPONSE, new UpstreamResponseHandler(this));
        Account a = requireNonNull(account, "account");
        UpstreamTarget t = requireNonNull(target, "target");
        Conversion c = conversion;
        FullHttpRequest out;
        if (c != null) {
            out = UpstreamRequests.buildConverted(request, a, t, c.pathAndQuery(), c.body());
        } else if (needsClaudeCodePrompt(request, a)) {
            out = UpstreamRequests.buildAdapted(request, a, t, withClaudeCodePrompt(request));
        } else {
            out = UpstreamRequests.build(request, a, t);
        }
        ch.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess() && upstream == ch) {
                ch.close();
            }
        });
        schedule(config.responseTimeout().toNanos());
    }

    /** A Claude subscription account serving a client other than Claude Code, on the Messages route. */
    private static boolean needsClaudeCodePrompt(ProxyRequest request, Account a) {
        return a.kind() == AccountKind.CLAUDE_OAUTH
                && request.info.route == Route.MESSAGES
                && request.client.kind() != ClientKind.CLAUDE_CODE;
    }

    /** The client's Messages body with Claude Code's identity block first in its system prompt. */
    private static ByteBuf withClaudeCodePrompt(ProxyRequest request) {
        try (io.netty.buffer.ByteBufInputStream in =
                new io.netty.buffer.ByteBufInputStream(request.request.content().duplicate())) {
            JsonNode body = COUNT_JSON.readTree((java.io.InputStream) in);
            if (!(body instanceof ObjectNode)) {
                return request.request.content().retainedDuplicate();
            }
            ClaudeCodeAdaptation.prependSystemPrompt((ObjectNode) body);
            return Unpooled.wrappedBuffer(COUNT_JSON.writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            // SKIM already parsed this body; forward it unchanged if it cannot be read as a tree.
            return request.request.content().retainedDuplicate();
        }
    }

    // ---- upstream events (on this event loop) ----

    void onUpstreamHead(Channel ch, HttpResponse head) {
        if (ch != upstream) {
            return;
        }
        cancelTimer();
        status = head.status().code();
        upstreamStatus = status;
        upstreamKeepAlive = HttpUtil.isKeepAlive(head);
        Account answering = requireNonNull(account, "account");
        if (scheduler.quotaSampleDue(answering)) {
            scheduler.observeQuota(
                    answering,
                    QuotaHeaders.parse(head.headers(), scheduler.clock().instant()));
        }
        if (status >= 400) {
            state = State.READING_ERROR;
            errorHead = head;
            errorBody = ch.alloc().buffer(Math.min(config.maxErrorBodyBytes(), 4096), config.maxErrorBodyBytes());
            // An error body that never ends must not hold the client forever.
            schedule(config.idleTimeout().toNanos());
            return;
        }
        ProxyRequest request = requireNonNull(current, "current");
        state = State.RELAYING;
        scheduler.served(requireNonNull(account, "account"), requireNonNull(demand, "demand"), stickyAccountId);
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        sse = contentType.startsWith("text/event-stream");
        Conversion c = conversion;
        if (c != null) {
            ResponseConverter conv =
                    new ResponseConverter(c, ctx(), request.info.id, sse, ResponseConverter.MAX_WHOLE_BODY_BYTES);
            converter = conv;
            tap = UsageTap.of(conv::usage);
            if (conv.writeHeadIfStreaming()) {
                headSent = true;
                firstByteNanos = System.nanoTime();
                startKeepAlive();
            }
            lastUpstreamReadNanos = System.nanoTime();
            schedule(config.idleTimeout().toNanos());
            return;
        }
        tap = UsageTap.of(
                request.info.route, requireNonNull(account, "account").kind().format(), sse);
        HttpResponse out = new DefaultHttpResponse(head.protocolVersion(), head.status());
        ResponseHeaders.copy(head.headers(), out.headers());
        out.headers().set(ErrorResponder.REQUEST_ID_HEADER, request.info.id);
        if (!head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        headSent = true;
        firstByteNanos = System.nanoTime();
        ctx().write(out).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        lastUpstreamReadNanos = System.nanoTime();
        if (sse) {
            startKeepAlive();
        }
        schedule(config.idleTimeout().toNanos());
    }

    void onUpstreamContent(Channel ch, HttpContent content) {
        if (ch != upstream) {
            content.release();
            return;
        }
        lastUpstreamReadNanos = System.nanoTime();
        boolean last = content instanceof LastHttpContent;
        switch (state) {
            case READING_ERROR:
                ByteBuf sink = requireNonNull(errorBody, "errorBody");
                ByteBuf in = content.content();
                sink.writeBytes(in, Math.min(in.readableBytes(), sink.maxWritableBytes()));
                content.release();
                if (last) {
                    onUpstreamError(ch);
                }
                break;
            case RELAYING:
                ResponseConverter conv = converter;
                if (conv != null) {
                    if (conv.content(content)) {
                        if (!headSent) {
                            headSent = true;
                            firstByteNanos = System.nanoTime();
                        }
                        finishExchange(ExchangeOutcome.End.COMPLETED, true);
                        ctx().flush();
                    } else if (!ctx().channel().isWritable()) {
                        ch.config().setAutoRead(false);
                    }
                    break;
                }
                UsageTap t = requireNonNull(tap, "tap");
                t.feed(content.content());
                if (sse && content.content().isReadable()) {
                    atEventBoundary = endsAnEvent(content.content());
                }
                // The upstream's buffer goes to the client as is: ownership moves with the write.
                ctx().write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                if (last) {
                    // The outcome (usage) is reported before the final flush: whoever sees the end of the response can
                    // rely on its usage being recorded.
                    t.finish();
                    finishExchange(ExchangeOutcome.End.COMPLETED, true);
                    ctx().flush();
                } else if (!ctx().channel().isWritable()) {
                    ch.config().setAutoRead(false);
                }
                break;
            default:
                content.release();
                break;
        }
    }

    void onUpstreamReadComplete(Channel ch) {
        if (ch == upstream && state == State.RELAYING) {
            ctx().flush();
        }
    }

    void onUpstreamClosed(Channel ch) {
        if (ch != upstream) {
            return;
        }
        switch (state) {
            case AWAITING_HEAD:
                if (reusedConnection && !retriedStale) {
                    // A pooled keep-alive connection the upstream closed just as we used it: try once more, fresh.
                    retriedStale = true;
                    releaseUpstream(false);
                    tryAccount();
                } else {
                    failBeforeFirstByte(UpstreamFailure.RESET, "connection closed before the response");
                }
                break;
            case READING_ERROR:
                onUpstreamError(ch);
                break;
            case RELAYING:
                failMidStream(UpstreamFailure.RESET, "upstream connection closed mid-stream");
                break;
            default:
                break;
        }
    }

    void onUpstreamException(Channel ch, Throwable cause) {
        if (ch != upstream) {
            return;
        }
        logger.debug("[{}] upstream error: {}", requestId(), Secrets.redact(String.valueOf(cause)));
        ch.close();
    }

    private void onUpstreamError(Channel ch) {
        HttpResponse head = requireNonNull(errorHead, "errorHead");
        ByteBuf body = requireNonNull(errorBody, "errorBody");
        errorHead = null;
        errorBody = null;
        UpstreamFailure failure = UpstreamFailure.forStatus(status);
        Account refused = requireNonNull(account, "account");
        if (status == 401 && !refreshedAfter401 && refresher.canRefresh(refused)) {
            // A subscription token the upstream no longer takes: refresh it once and try the same account again.
            refreshedAfter401 = true;
            releaseUpstream(ch.isActive() && HttpUtil.isKeepAlive(head));
            body.release();
            logger.debug("[{}] account {} refused its access token; refreshing it", requestId(), accountName());
            refreshThenTry(refused, true);
            return;
        }
        try {
            boolean keepAlive = ch.isActive() && HttpUtil.isKeepAlive(head);
            releaseUpstream(keepAlive);
            String upstreamMessage = UpstreamErrors.message(body);
            logger.debug("[{}] account {} answered {}: {}", requestId(), accountName(), status, upstreamMessage);
            coolDown(requireNonNull(account, "account"), head, upstreamMessage);
            if (failure.retryable() && hasNextCandidate()) {
                attempt++;
                tryAccount();
                return;
            }
            ProxyRequest request = requireNonNull(current, "current");
            WireFormat format = request.info.route.format();
            byte[] relayable = failure == UpstreamFailure.UNAUTHORIZED
                    ? null
                    : UpstreamErrors.relayableBody(
                            format, requireNonNull(account, "account").kind().format(), body);
            Long retryAfter = UpstreamErrors.retryAfterSeconds(head.headers());
            if (relayable != null) {
                respondRaw(status, relayable, retryAfter);
            } else {
                String msg = failure.description() + " (HTTP " + status + ")"
                        + (upstreamMessage.isEmpty() ? "" : ": " + upstreamMessage);
                respondError(
                        failure == UpstreamFailure.CLIENT_ERROR ? ErrorKind.forStatus(status) : failure.errorKind(),
                        msg,
                        retryAfter);
            }
        } finally {
            body.release();
        }
    }

    /** Takes the account out of rotation when its answer says it cannot serve for a while (429, 529, 401, 403). */
    private void coolDown(Account a, HttpResponse head, String upstreamMessage) {
        java.time.Instant now = scheduler.clock().instant();
        String reason = "HTTP " + status + (upstreamMessage.isEmpty() ? "" : ": " + upstreamMessage);
        if (reason.length() > 300) {
            reason = reason.substring(0, 300) + "…";
        }
        switch (status) {
            case 429:
                java.time.Instant reset = RateLimitReset.of(head.headers(), now);
                scheduler.putOutOfRotation(
                        a,
                        AccountCondition.State.RATE_LIMITED,
                        reason,
                        reset != null ? reset : now.plus(scheduler.config().rateLimitCoolDown()));
                break;
            case 529:
                scheduler.putOutOfRotation(
                        a,
                        AccountCondition.State.OVERLOADED,
                        reason,
                        now.plus(scheduler.config().overloadCoolDown()));
                break;
            case 401:
            case 403:
                scheduler.putOutOfRotation(a, AccountCondition.State.UNAUTHORIZED, reason, null);
                break;
            default:
                break;
        }
    }

    private boolean hasNextCandidate() {
        return attempt + 1 < candidates.size() && attempt + 1 < config.maxAttempts();
    }

    private void failBeforeFirstByte(UpstreamFailure failure, @Nullable String detail) {
        releaseUpstream(false);
        String message = failure.description() + (detail == null ? "" : ": " + detail);
        Account a = account;
        if (a != null && (failure == UpstreamFailure.CONNECT_FAILED || failure == UpstreamFailure.CONNECT_TIMEOUT)) {
            // A dead upstream or proxy: out of rotation for a while instead of costing every request a connect.
            scheduler.putOutOfRotation(
                    a,
                    AccountCondition.State.UNREACHABLE,
                    Secrets.redact(message),
                    scheduler.clock().instant().plus(scheduler.config().overloadCoolDown()));
        }
        if (failure.retryable() && hasNextCandidate()) {
            logger.debug("[{}] account {} failed: {}", requestId(), accountName(), Secrets.redact(message));
            attempt++;
            tryAccount();
            return;
        }
        // The detail (an address, a proxy's answer) stays in the gateway's log: the client is not told where the
        // accounts live.
        logger.warn("[{}] account {} failed: {}", requestId(), accountName(), Secrets.redact(message));
        respondError(failure.errorKind(), failure.description(), null);
    }

    private void failMidStream(UpstreamFailure failure, String message) {
        errorClass = failure.name().toLowerCase(java.util.Locale.ROOT);
        releaseUpstream(false);
        ResponseConverter conv = converter;
        if (conv != null) {
            if (!headSent) {
                // A whole answer was being collected: nothing reached the client, so it gets a plain error.
                conv.release();
                respondError(failure.errorKind(), message, null);
                return;
            }
            conv.fail(message);
            ctx().flush();
            finishExchange(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM, true);
            return;
        }
        UsageTap t = tap;
        if (t != null) {
            t.finish();
        }
        ProxyRequest request = requireNonNull(current, "current");
        if (sse) {
            byte[] event = ErrorEvents.bytes(request.info.route.format(), failure.errorKind(), message);
            ctx().write(new DefaultHttpContent(Unpooled.wrappedBuffer(event)))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ctx().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            finishExchange(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM, true);
        } else {
            // A half-sent JSON body cannot be completed well-formed; closing tells the client it is incomplete.
            finishExchange(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM, false);
            ctx().close();
        }
    }

    // ---- timers ----

    /**
     * Keeps a streaming response alive through proxies while the upstream is connected but silent (a model thinking
     * without streaming its thoughts): after {@code streamKeepAlive} without a byte, an Anthropic client gets a
     * {@code ping} event and an OpenAI client an SSE comment. Neither carries content, so clients' own event-level
     * watchdogs (Claude Code aborts a stream with no message event for 5 minutes) still see the silence; the
     * gateway's own upstream idle timeout ends a truly dead stream with an error event.
     */
    private void startKeepAlive() {
        long every = config.streamKeepAlive().toNanos();
        lastKeepAliveNanos = 0;
        atEventBoundary = true;
        keepAliveTimer = ctx().executor().scheduleAtFixedRate(this::keepAlive, every, every, TimeUnit.NANOSECONDS);
    }

    private void keepAlive() {
        Channel ch = upstream;
        ProxyRequest request = current;
        if (state != State.RELAYING || ch == null || !ch.isActive() || request == null) {
            return;
        }
        long now = System.nanoTime();
        long quiet = now - Math.max(lastUpstreamReadNanos, lastKeepAliveNanos);
        if (quiet < config.streamKeepAlive().toNanos() - TimeUnit.MILLISECONDS.toNanos(5)
                || !atEventBoundary
                || !ctx().channel().isWritable()) {
            return;
        }
        lastKeepAliveNanos = now;
        byte[] bytes = request.info.route.format() == WireFormat.ANTHROPIC ? ANTHROPIC_PING : SSE_COMMENT;
        ctx().writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.wrappedBuffer(bytes)))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private void cancelKeepAlive() {
        ScheduledFuture<?> k = keepAliveTimer;
        if (k != null) {
            k.cancel(false);
            keepAliveTimer = null;
        }
    }

    /** Whether {@code buf}'s readable bytes end with the blank line that closes an SSE event. */
    static boolean endsAnEvent(ByteBuf buf) {
        int end = buf.writerIndex();
        int n = buf.readableBytes();
        return n >= 2
                && buf.getByte(end - 1) == '\n'
                && (buf.getByte(end - 2) == '\n'
                        || (n >= 3 && buf.getByte(end - 2) == '\r' && buf.getByte(end - 3) == '\n'));
    }

    private void schedule(long nanos) {
        cancelTimer();
        timer = ctx().executor().schedule(this::onTimer, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onTimer() {
        timer = null;
        switch (state) {
            case AWAITING_HEAD:
            case READING_ERROR:
                failBeforeFirstByte(
                        UpstreamFailure.RESPONSE_TIMEOUT,
                        "no response within " + io.relaygate.core.Durations.format(config.responseTimeout()));
                break;
            case RELAYING:
                Channel ch = upstream;
                long idleNanos = config.idleTimeout().toNanos();
                long silent = System.nanoTime() - lastUpstreamReadNanos;
                if (ch != null && !ch.config().isAutoRead()) {
                    // Paused by our own backpressure (slow client): not the upstream's silence.
                    lastUpstreamReadNanos = System.nanoTime();
                    schedule(idleNanos);
                } else if (silent < idleNanos) {
                    schedule(idleNanos - silent);
                } else {
                    failMidStream(
                            UpstreamFailure.IDLE_TIMEOUT,
                            "upstream sent nothing for " + io.relaygate.core.Durations.format(config.idleTimeout()));
                }
                break;
            default:
                break;
        }
    }

    // ---- client channel events ----

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel ch = upstream;
        if (ctx.channel().isWritable() && ch != null && state == State.RELAYING) {
            // setAutoRead(true) issues a read() itself when it was off.
            ch.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.IDLE) {
            UsageTap t = tap;
            if (t != null) {
                t.finish();
            }
            releaseUpstream(false);
            finishExchange(ExchangeOutcome.End.CLIENT_CANCELLED, false);
        }
        ProxyRequest q = queued;
        queued = null;
        if (q != null) {
            q.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // An idle keep-alive connection closes; one waiting on a slow upstream stays (upstream timeouts apply).
            if (state == State.IDLE) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("[{}] client connection error: {}", ctx.channel().id(), Secrets.redact(String.valueOf(cause)));
        ctx.close();
    }

    // ---- ending ----

    private void respondError(ErrorKind kind, String message, @Nullable Long retryAfter) {
        ProxyRequest request = requireNonNull(current, "current");
        errorClass = kind.name().toLowerCase(java.util.Locale.ROOT);
        status = kind.status();
        ErrorResponder.send(ctx(), request.info.route.format(), kind, message, request.info.id, retryAfter, false);
        finishExchange(ExchangeOutcome.End.ERROR, true);
    }

    private void respondRaw(int code, byte[] body, @Nullable Long retryAfter) {
        ProxyRequest request = requireNonNull(current, "current");
        errorClass = "upstream_" + code;
        status = code;
        ErrorResponder.sendRaw(ctx(), code, body, request.info.id, retryAfter);
        finishExchange(ExchangeOutcome.End.ERROR, true);
    }

    /**
     * Ends the current exchange: gives the upstream connection back to the pool when the whole response was read,
     * reports the outcome, releases the request and starts a queued one.
     */
    private void finishExchange(ExchangeOutcome.End end, boolean clientStillUsable) {
        ProxyRequest request = current;
        if (request == null) {
            return;
        }
        cancelTimer();
        cancelKeepAlive();
        if (upstream != null) {
            releaseUpstream(end == ExchangeOutcome.End.COMPLETED && upstreamKeepAlive);
        }
        String leaseToRecord = releaseLease(request);
        current = null;
        state = State.IDLE;
        long now = System.nanoTime();
        UsageTap t = tap;
        Usage usage = t == null ? Usage.ZERO : t.usage();
        Account a = account;
        Conversion c = conversion;
        String upstreamModel = c != null && !c.upstreamModel().isEmpty() ? c.upstreamModel() : request.skim.model();
        long cost = upstreamModel == null ? 0 : prices.costMicros(upstreamModel, usage);
        try {
            listener.onExchange(new ExchangeOutcome(
                    request.info.id,
                    request.info.key().id(),
                    request.info.key().name(),
                    request.info.route,
                    request.client.kind(),
                    request.skim.model(),
                    a == null ? null : a.id(),
                    a == null ? null : a.name(),
                    a == null ? null : upstreamModel,
                    end == ExchangeOutcome.End.CLIENT_CANCELLED && !headSent ? 0 : status,
                    upstreamStatus,
                    end,
                    usage,
                    TimeUnit.NANOSECONDS.toMillis(now - request.info.startNanos),
                    firstByteNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstByteNanos - request.info.startNanos),
                    cost,
                    request.info.key().rules().maxTokens() == null
                            ? null
                            : request.info.key().rules().tokenWindow(),
                    request.info.key().rules().limitsUsage(),
                    leaseToRecord,
                    request.client.version(),
                    request.skim.stream(),
                    request.skim.messageCount(),
                    a == null ? 0 : attempt + 1,
                    errorClass));
        } catch (RuntimeException e) {
            logger.warn("[{}] exchange listener failed: {}", request.info.id, e.toString());
        } finally {
            request.release();
            ResponseConverter conv = converter;
            converter = null;
            if (conv != null) {
                conv.release();
            }
        }
        ProxyRequest next = queued;
        queued = null;
        if (next != null) {
            if (clientStillUsable && ctx().channel().isActive()) {
                start(next);
            } else {
                next.release();
            }
        }
    }

    /**
     * Stops renewing the request's lease and gives it back, or, for a key whose usage is written at once, returns its
     * id so that the usage write gives it back (one store command instead of two). Null when nothing is left to give
     * back.
     */
    private @Nullable String releaseLease(ProxyRequest request) {
        ScheduledFuture<?> t = leaseTimer;
        leaseTimer = null;
        if (t != null) {
            t.cancel(false);
        }
        if (!leaseHeld) {
            return null;
        }
        leaseHeld = false;
        if (request.info.key().rules().limitsUsage()) {
            return request.info.id;
        }
        scheduler.release(request.info.key(), request.info.id);
        return null;
    }

    /** Detaches the upstream connection: back to the pool when {@code reuse}, else closed. */
    private void releaseUpstream(boolean reuse) {
        Channel ch = upstream;
        upstream = null;
        cancelTimer();
        ByteBuf pendingError = errorBody;
        errorBody = null;
        errorHead = null;
        if (pendingError != null) {
            pendingError.release();
        }
        if (ch == null) {
            return;
        }
        if (ch.pipeline().get(PipelineNames.UPSTREAM_RESPONSE) != null) {
            ch.pipeline().remove(PipelineNames.UPSTREAM_RESPONSE);
        }
        if (reuse && target != null) {
            pool.release(ch, requireNonNull(target, "target"));
        } else {
            ch.close();
        }
    }

    private void resetExchange() {
        cancelKeepAlive();
        refreshedAfter401 = false;
        candidates = List.of();
        errorClass = null;
        demand = null;
        stickyAccountId = null;
        attempt = 0;
        account = null;
        target = null;
        upstream = null;
        reusedConnection = false;
        retriedStale = false;
        status = 0;
        upstreamStatus = 0;
        headSent = false;
        sse = false;
        firstByteNanos = -1;
        tap = null;
        conversion = null;
        ResponseConverter conv = converter;
        converter = null;
        if (conv != null) {
            conv.release();
        }
        upstreamKeepAlive = true;
    }

    private ChannelHandlerContext ctx() {
        return requireNonNull(ctx, "ctx");
    }

    private String requestId() {
        ProxyRequest r = current;
        return r == null ? "-" : r.info.id;
    }

    private String accountName() {
        Account a = account;
        return a == null ? "-" : a.name();
    }
}
