package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH: authenticates the gateway key ({@code x-api-key}, or {@code Authorization: Bearer}) on the request head.
 * While the asynchronous lookup runs, reads pause and the messages already read wait here (at most one read's worth),
 * so an unauthenticated client never makes the gateway buffer its body. Answers 401 for a missing or unknown key and
 * 403 for a disabled or expired one.
 *
 * <p>Per-connection state: the messages held during a lookup and whether the current request is being dropped.
 */
public final class ApiKeyAuthHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ApiKeyAuthHandler.class);
    /** Store trouble is logged once per kind and interval with a count: an outage must not flood the log. */
    private static final io.relaygate.core.RepeatedWarnings storeWarnings =
            new io.relaygate.core.RepeatedWarnings(logger);

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    /** The answer to a signed-in token that is unknown, ran out or was revoked. */
    static final String SIGN_IN_ENDED = "your Relaygate sign-in expired or was revoked: run /login to sign in again";

    private final ApiKeyService keys;
    private final Clock clock;
    private final RepeatedFailures failures;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean pending;
    private boolean discarding;

    public ApiKeyAuthHandler(ApiKeyService keys, Clock clock) {
        this(keys, clock, new RepeatedFailures(System::nanoTime));
    }

    public ApiKeyAuthHandler(ApiKeyService keys, Clock clock, RepeatedFailures failures) {
        this.keys = requireNonNull(keys, "keys");
        this.clock = requireNonNull(clock, "clock");
        this.failures = failures;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pending) {
            held.add(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            discarding = false;
            authenticate(ctx, (HttpRequest) msg);
        } else if (discarding && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void authenticate(ChannelHandlerContext ctx, HttpRequest request) {
        RequestInfo info = ctx.channel().attr(RequestInfo.KEY).get();
        String secret = presentedKey(request);
        if (info == null || secret == null) {
            ReferenceCountUtil.release(request);
            reject(
                    ctx,
                    info,
                    request,
                    ErrorKind.AUTHENTICATION,
                    "missing API key: send your Relaygate key as x-api-key or Authorization: Bearer");
            return;
        }
        CompletableFuture<Optional<ApiKey>> lookup = keys.authenticate(secret).toCompletableFuture();
        if (lookup.isDone()) {
            // A cached key, nearly every request: decided within this read, so reading never pauses (pausing and
            // resuming would cost two epoll_ctl calls per request).
            Optional<ApiKey> found = null;
            Throwable error = null;
            try {
                found = lookup.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
            decide(ctx, info, request, secret, found, error, false);
            return;
        }
        pending = true;
        held.addFirst(request);
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(
                lookup, ctx.executor(), (found, error) -> decide(ctx, info, request, secret, found, error, true));
    }

    /**
     * Goes on with the request once its key is looked up. {@code paused}: the lookup took a while, reading was
     * paused and what arrived in the meantime is held.
     */
    private void decide(
            ChannelHandlerContext ctx,
            RequestInfo info,
            HttpRequest request,
            String secret,
            @Nullable Optional<ApiKey> found,
            @Nullable Throwable error,
            boolean paused) {
        if (paused) {
            pending = false;
            if (!ctx.channel().isActive()) {
                releaseHeld();
                return;
            }
        }
        String problem = error != null ? null : refusal(found, secret);
        if (error != null) {
            storeWarnings.warn(
                    "key-lookup",
                    "[" + info.id + "] key lookup failed (key not read lately, refused): "
                            + Secrets.redact(String.valueOf(error)));
            release(paused, request);
            reject(ctx, info, request, ErrorKind.UNAVAILABLE, "key store unavailable, try again");
        } else if (problem != null) {
            release(paused, request);
            ErrorKind kind = found != null && found.isPresent() ? ErrorKind.PERMISSION : ErrorKind.AUTHENTICATION;
            if (found != null && found.isPresent()) {
                info.refusedKey = found.get();
            }
            String from = ClientAddress.of(ctx.channel());
            RepeatedFailures.Verdict v = failures.failure(from);
            if (v.log()) {
                securityLog.info(
                        "[{}] refused key {} from {}: {}{}",
                        info.id,
                        Secrets.mask(secret),
                        from,
                        problem,
                        v.heldBack() == 0
                                ? ""
                                : " (and " + v.heldBack() + " more refusals from " + from
                                        + " in the minute before, not logged one by one)");
            }
            reject(ctx, info, request, kind, problem);
        } else {
            info.apiKey = found.orElseThrow();
            if (!paused) {
                ctx.fireChannelRead(request);
                return;
            }
            ctx.channel().config().setAutoRead(true);
            ctx.fireChannelRead(held.poll());
            // What arrived during the lookup: the body, and perhaps a pipelined request, which starts its own
            // lookup and keeps what follows it held (authenticate puts it back at the front).
            while (!held.isEmpty() && !pending) {
                channelRead(ctx, held.poll());
            }
            if (!pending) {
                ctx.read();
            }
        }
    }

    /** Drops the refused request and, after a pause, whatever was held with it. */
    private void release(boolean paused, HttpRequest request) {
        if (paused) {
            releaseHeld();
        } else {
            ReferenceCountUtil.release(request);
        }
    }

    private @Nullable String refusal(@Nullable Optional<ApiKey> found, String secret) {
        if ((found == null || found.isEmpty()) && SignInTokens.isAccessToken(secret)) {
            return SIGN_IN_ENDED;
        }
        if (found == null || found.isEmpty()) {
            return "invalid API key";
        }
        ApiKey key = found.get();
        if (!key.enabled()) {
            return "API key " + key.name() + " is disabled";
        }
        if (key.rules().expiresAt() != null
                && !clock.instant().isBefore(key.rules().expiresAt())) {
            return "API key " + key.name() + " expired at " + key.rules().expiresAt();
        }
        return null;
    }

    private void reject(
            ChannelHandlerContext ctx,
            @Nullable RequestInfo info,
            HttpRequest request,
            ErrorKind kind,
            String message) {
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        discarding = true;
        ctx.channel().config().setAutoRead(true);
        WireFormat format = info != null ? info.route.format() : RouteResolver.errorFormat(request.uri());
        // A signed-in token that ended: the gateway protocol asks for x-should-retry: false, so Claude Code asks
        // the person to sign in again at once instead of retrying for minutes.
        java.util.Map<String, String> headers =
                SIGN_IN_ENDED.equals(message) ? java.util.Map.of("x-should-retry", "false") : java.util.Map.of();
        ErrorResponder.send(
                ctx,
                ErrorAnswer.of(format, kind, message)
                        .requestId(info == null ? null : info.id)
                        .closing(hasBody)
                        .headers(headers));
    }

    /** The credential {@code request} presents: its {@code x-api-key}, else its bearer token; null when none. */
    public static @Nullable String presentedKey(HttpRequest request) {
        String key = request.headers().get("x-api-key");
        if (key != null && !key.isBlank()) {
            return key.trim();
        }
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = auth.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    private void releaseHeld() {
        for (Object m; (m = held.poll()) != null; ) {
            ReferenceCountUtil.release(m);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }
}
