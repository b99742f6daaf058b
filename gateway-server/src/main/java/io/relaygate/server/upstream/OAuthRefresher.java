package io.relaygate.server.upstream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.Secrets;
import io.relaygate.core.VertexCredentials;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the access tokens of subscription accounts ({@code claude-oauth}, {@code codex-oauth}) and Vertex accounts
 * (exchanged for the service account's key by {@link VertexTokens}) fresh: a token that
 * expires within {@link #SKEW} is refreshed before use, and a token the upstream refused (401) is refreshed once.
 *
 * <p>One refresh per account at a time across every gateway on the store: the instance that takes the store lock
 * {@code oauth-refresh:<account id>} reads the account again (another instance may have just refreshed it), calls the
 * token endpoint, saves the new token set (refresh tokens rotate: the old one is spent) and gives the lock back; the
 * others poll the store until the new token appears. Within one instance, concurrent requests share one refresh. A
 * refused refresh puts the account out of rotation as unauthorized, with the token endpoint's reason.
 *
 * <p>The token endpoint is called like every upstream request ({@link TokenEndpoint}): on Netty, through the account's
 * proxy and with its trusted certificates, never blocking an event loop.
 *
 * <p>Tokens never reach a log line: only account names, HTTP statuses and the endpoint's error codes do.
 */
public final class OAuthRefresher {

    private static final Logger logger = LoggerFactory.getLogger(OAuthRefresher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Refresh this long before the access token expires. */
    static final Duration SKEW = Duration.ofMinutes(5);

    static final Duration LOCK_TTL = Duration.ofSeconds(30);
    static final Duration POLL = Duration.ofMillis(100);
    /** Longest wait for another instance's refresh before giving up on this request. */
    static final Duration WAIT = Duration.ofSeconds(20);

    /** The token endpoint refused: the account cannot be used until an operator signs it in again. */
    static final class RefreshFailed extends RuntimeException {
        RefreshFailed(String message) {
            super(message, null, false, false);
        }
    }

    private final Store store;
    private final Scheduler scheduler;
    private final Clock clock;
    private final TokenCalls tokenCalls;
    private final String owner = "gw-" + Ids.random(10);
    private final ConcurrentHashMap<String, CompletableFuture<Account>> inflight = new ConcurrentHashMap<>();

    public OAuthRefresher(Store store, Scheduler scheduler, Clock clock, TokenCalls tokenCalls) {
        this.store = requireNonNull(store, "store");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.clock = requireNonNull(clock, "clock");
        this.tokenCalls = requireNonNull(tokenCalls, "tokenCalls");
    }

    /** Whether {@code a} needs a refresh before it is used (cheap; no I/O). */
    public boolean due(Account a) {
        Held h = held(a);
        return h != null && h.refreshable() && h.dueAt(clock.instant());
    }

    /** Whether {@code a} could be refreshed after the upstream refused its token. */
    public boolean canRefresh(Account a) {
        Held h = held(a);
        return h != null && h.refreshable();
    }

    /**
     * The access token an account holds: a subscription's token set, or a Vertex account's token exchanged for its
     * service account key (always refreshable: the key stays).
     */
    private record Held(
            String access, boolean refreshable, @Nullable Instant expiresAt, boolean dueWithoutExpiry) {
        boolean dueAt(Instant now) {
            return expiresAt == null
                    ? dueWithoutExpiry
                    : !now.plusSeconds(SKEW.toSeconds()).isBefore(expiresAt);
        }
    }

    private static @Nullable Held held(Account a) {
        if (a.credential() == null) {
            return null;
        }
        try {
            if (a.kind() == AccountKind.VERTEX) {
                VertexCredentials v = VertexCredentials.parse(a.credential());
                String access = v.accessToken();
                return new Held(access == null ? "" : access, true, v.expiresAt(), true);
            }
            if (!OAuthTokens.isOAuth(a.kind())) {
                return null;
            }
            OAuthTokens t = OAuthTokens.parse(a.credential());
            return new Held(t.accessToken(), t.refreshToken() != null, t.expiresAt(), false);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static @Nullable OAuthTokens tokens(Account a) {
        if (!OAuthTokens.isOAuth(a.kind()) || a.credential() == null) {
            return null;
        }
        try {
            return OAuthTokens.parse(a.credential());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The account with a usable access token: refreshed here, or by another instance, or unchanged when
     * {@code force} is false and the token is not due. {@code force} refreshes a token the upstream refused, unless
     * another instance replaced it meanwhile. Fails with {@link RefreshFailed} when the token endpoint refuses.
     */
    public CompletableFuture<Account> fresh(Account a, boolean force) {
        Held t = held(a);
        if (t == null || !t.refreshable() || (!force && !t.dueAt(clock.instant()))) {
            return CompletableFuture.completedFuture(a);
        }
        CompletableFuture<Account> mine = new CompletableFuture<>();
        CompletableFuture<Account> running = inflight.putIfAbsent(a.id(), mine);
        if (running != null) {
            return running;
        }
        Instant deadline = clock.instant().plus(WAIT);
        attempt(a.id(), t.access(), deadline).whenComplete((done, error) -> {
            inflight.remove(a.id(), mine);
            if (error != null) {
                mine.completeExceptionally(error instanceof CompletionException ? error.getCause() : error);
            } else {
                mine.complete(done);
            }
        });
        return mine;
    }

    private CompletableFuture<Account> attempt(String id, String refusedAccess, Instant deadline) {
        String lock = "oauth-refresh:" + id;
        return store.locks()
                .tryLock(lock, owner, LOCK_TTL)
                .toCompletableFuture()
                .thenCompose(taken -> {
                    if (taken) {
                        return refreshHolding(id, refusedAccess)
                                .whenComplete((r, e) -> store.locks().unlock(lock, owner));
                    }
                    return waitForOther(id, refusedAccess, deadline);
                });
    }

    /** Another instance holds the lock: wait for the token it saves. */
    private CompletableFuture<Account> waitForOther(String id, String refusedAccess, Instant deadline) {
        return CompletableFuture.supplyAsync(
                        () -> null, CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> load(id))
                .thenCompose(current -> {
                    Held t = requireNonNull(held(current), "tokens");
                    if (replaced(t, refusedAccess)) {
                        return CompletableFuture.completedFuture(current);
                    }
                    if (clock.instant().isAfter(deadline)) {
                        return CompletableFuture.failedFuture(
                                new RefreshFailed("timed out waiting for another gateway to refresh the access token"));
                    }
                    return attempt(id, refusedAccess, deadline);
                });
    }

    /** A token set that is no longer the refused one and not due counts as the other instance's result. */
    private boolean replaced(Held t, String refusedAccess) {
        return !t.access().equals(refusedAccess) && !t.dueAt(clock.instant());
    }

    private CompletableFuture<Account> load(String id) {
        return store.accounts()
                .findById(id)
                .toCompletableFuture()
                .thenApply((Optional<Account> found) ->
                        found.orElseThrow(() -> new RefreshFailed("the account was removed")));
    }

    private CompletableFuture<Account> refreshHolding(String id, String refusedAccess) {
        return load(id).thenCompose(current -> {
            Held h = held(current);
            if (h == null || !h.refreshable()) {
                return CompletableFuture.failedFuture(new RefreshFailed("the account has no refresh token"));
            }
            if (replaced(h, refusedAccess)) {
                return CompletableFuture.completedFuture(current); // another instance was quicker
            }
            CompletableFuture<String> next = current.kind() == AccountKind.VERTEX
                    ? exchange(current)
                    : call(current, requireNonNull(tokens(current), "tokens")).thenApply(OAuthTokens::encode);
            return next.thenCompose(credential -> {
                Account updated = current.withCredential(credential);
                return store.accounts().update(updated).toCompletableFuture();
            });
        });
    }

    /** A Vertex account's service account key exchanged for a new access token (off the event loops). */
    private CompletableFuture<String> exchange(Account a) {
        VertexCredentials v = VertexCredentials.parse(requireNonNull(a.credential(), "credential"));
        logger.debug("account {}: exchanging its service account key for an access token", a.name());
        return VertexTokens.exchange(a, v, tokenCalls).handle((fresh, error) -> {
            Throwable cause = VertexTokens.unwrap(error);
            if (cause instanceof VertexTokens.Refused) {
                throw new CompletionException(
                        fail(a, "service account " + v.clientEmail() + ": " + cause.getMessage()));
            }
            if (cause != null) {
                // Not the account's fault: no cool-down; this request fails over.
                throw new CompletionException(new RefreshFailed(Secrets.redact(String.valueOf(cause.getMessage()))));
            }
            logger.info("account {}: access token exchanged (expires {})", a.name(), fresh.expiresAt());
            return fresh.encode();
        });
    }

    private CompletableFuture<OAuthTokens> call(Account a, OAuthTokens t) {
        String url = t.tokenUrl() != null ? t.tokenUrl() : OAuthTokens.defaultTokenUrl(a.kind());
        ObjectNode body = JSON.createObjectNode()
                .put("grant_type", "refresh_token")
                .put("refresh_token", requireNonNull(t.refreshToken(), "refreshToken"))
                .put("client_id", t.clientId() != null ? t.clientId() : OAuthTokens.defaultClientId(a.kind()));
        if (a.kind() == AccountKind.CODEX_OAUTH) {
            body.put("scope", "openid profile email");
        }
        logger.debug("account {}: refreshing its access token at {}", a.name(), Secrets.redactUrl(url));
        return tokenCalls
                .post("token endpoint of account " + a.name(), url, a.proxy(), a.trustCertificates(), body.toString())
                .handle((answer, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        if (cause instanceof IllegalArgumentException) {
                            // the token URL or the proxy is not a URL: only an operator can fix that
                            throw new CompletionException(fail(a, Secrets.redact(String.valueOf(cause.getMessage()))));
                        }
                        // Not the account's fault: no cool-down; this request fails over.
                        throw new CompletionException(new RefreshFailed(
                                "token endpoint unreachable: " + Secrets.redact(String.valueOf(cause.getMessage()))));
                    }
                    return parse(a, t, answer);
                });
    }

    private OAuthTokens parse(Account a, OAuthTokens t, TokenEndpoint.Answer answer) {
        JsonNode n;
        try {
            n = JSON.readTree(answer.body());
        } catch (IOException e) {
            n = null;
        }
        if (answer.status() != 200 || n == null || !n.path("access_token").isTextual()) {
            throw new CompletionException(
                    fail(a, "token refresh refused (HTTP " + answer.status() + ")" + (n == null ? "" : reason(n))));
        }
        String access = n.path("access_token").asText();
        String refresh =
                n.path("refresh_token").isTextual() ? n.path("refresh_token").asText() : null;
        Instant expires = n.path("expires_in").canConvertToLong()
                ? clock.instant().plusSeconds(n.path("expires_in").asLong())
                : ChatGptTokens.expiry(access);
        logger.info("account {}: access token refreshed (expires {})", a.name(), expires == null ? "?" : expires);
        return t.withAccess(access, refresh, expires);
    }

    /** The endpoint's error code and description, never a token. */
    private static String reason(JsonNode n) {
        JsonNode error = n.path("error");
        String code = error.isTextual()
                ? error.asText()
                : error.path("code").asText(error.path("type").asText(""));
        String description = n.path("error_description").isTextual()
                ? n.path("error_description").asText()
                : error.path("message").asText("");
        String r = (code.isEmpty() ? "" : ": " + code) + (description.isEmpty() ? "" : ": " + description);
        r = Secrets.redact(r);
        return r.length() > 300 ? r.substring(0, 300) + "…" : r;
    }

    private RefreshFailed fail(Account a, String reason) {
        logger.warn("account {}: {}; out of rotation until it is signed in again", a.name(), reason);
        scheduler.putOutOfRotation(a, AccountCondition.State.UNAUTHORIZED, reason, null);
        return new RefreshFailed(reason);
    }
}
