package io.relaygate.server.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.relaygate.accounts.AdminStore;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's sign-in: the admin password checked against its bcrypt hash, failed attempts limited per address and
 * for the admin account, and sessions kept in the store ({@link AdminStore}) under a SHA-256 digest of their token,
 * so any instance on the store serves them. A session ends after {@link #IDLE} without use or {@link #ABSOLUTE} after
 * sign-in, whichever comes first. Each session has its own CSRF token, which every write must echo in
 * {@link #CSRF_HEADER}. Every attempt is written to the security log with its address, never with the password.
 */
public final class ConsoleSessions {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    /** The session cookie: HttpOnly, SameSite=Strict, Secure over TLS, path {@code /}. */
    public static final String COOKIE = "relaygate_session";

    /** The header a write carries its session's CSRF token in. */
    public static final String CSRF_HEADER = "x-csrf-token";

    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    /** Failed sign-ins counted in one window per address and for the account. */
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(15);

    static final int MAX_FAILURES_PER_ADDRESS = 5;
    static final int MAX_FAILURES_PER_ACCOUNT = 20;
    /** The console has one admin account. */
    static final String ACCOUNT = "admin";

    /** A signed-in operator's session: its store digest, CSRF token and sign-in time. */
    public record Session(String digest, String csrf, long createdMillis) {}

    /** A sign-in's result: a new session's token, a refusal, or a throttle with the seconds to wait. */
    public record Login(@Nullable String token, @Nullable Session session, boolean throttled, long retryAfterSeconds) {}

    private final AdminStore store;
    private final Clock clock;
    /** bcrypt is slow by design: checks run here, one at a time, never on an event loop. */
    private final ExecutorService hashing = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relaygate-admin-signin");
        t.setDaemon(true);
        return t;
    });

    public ConsoleSessions(AdminStore store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Checks {@code password} for a sign-in from {@code address} and, when it matches, starts a session. */
    CompletionStage<Login> login(String password, String address) {
        String byAddress = "address:" + address;
        String byAccount = "account:" + ACCOUNT;
        return store.failures(byAddress)
                .thenCombine(
                        store.failures(byAccount),
                        (a, b) -> a >= MAX_FAILURES_PER_ADDRESS || b >= MAX_FAILURES_PER_ACCOUNT)
                .thenCompose(throttled -> {
                    if (throttled) {
                        securityLog.warn("console sign-in throttled from {} (too many failed attempts)", address);
                        return CompletableFuture.completedFuture(
                                new Login(null, null, true, FAILURE_WINDOW.toSeconds()));
                    }
                    return store.passwordHash()
                            .thenApplyAsync(
                                    hash -> hash.isPresent() && AdminPassword.matches(password, hash.get()), hashing)
                            .thenCompose(ok -> ok ? start(address, byAddress) : refuse(address, byAddress, byAccount));
                });
    }

    private CompletionStage<Login> refuse(String address, String byAddress, String byAccount) {
        return store.countFailure(byAddress, FAILURE_WINDOW)
                .thenCombine(store.countFailure(byAccount, FAILURE_WINDOW), (a, b) -> a)
                .thenApply(n -> {
                    securityLog.warn("console sign-in refused from {}: wrong password ({} in a row)", address, n);
                    return new Login(null, null, false, 0);
                });
    }

    private CompletionStage<Login> start(String address, String byAddress) {
        String token = Ids.random(43);
        Session session = new Session(digest(token), Ids.random(32), clock.millis());
        String value = Views.JSON
                .createObjectNode()
                .put("csrf", session.csrf())
                .put("created", session.createdMillis())
                .toString();
        return store.clearFailures(byAddress)
                .thenCompose(done -> store.putSession(session.digest(), value, IDLE))
                .thenApply(done -> {
                    securityLog.info("console sign-in from {}", address);
                    return new Login(token, session, false, 0);
                });
    }

    /**
     * The session the request's {@code Cookie} header names, if it is live; its idle expiry starts again (up to its
     * absolute end).
     */
    CompletionStage<Optional<Session>> resolve(@Nullable String cookieHeader) {
        String token = token(cookieHeader);
        if (token == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String digest = digest(token);
        return store.session(digest).thenCompose(value -> {
            if (value.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<Session>empty());
            }
            Session s = parse(digest, value.get());
            if (s == null) {
                return CompletableFuture.completedFuture(Optional.<Session>empty());
            }
            long left = s.createdMillis() + ABSOLUTE.toMillis() - clock.millis();
            if (left <= 0) {
                return store.deleteSession(digest).thenApply(done -> Optional.<Session>empty());
            }
            Duration ttl = Duration.ofMillis(Math.min(IDLE.toMillis(), left));
            return store.putSession(digest, value.get(), ttl).thenApply(done -> Optional.of(s));
        });
    }

    /** Ends the session the {@code Cookie} header names, if any. */
    CompletionStage<Void> logout(@Nullable String cookieHeader) {
        String token = token(cookieHeader);
        return token == null ? CompletableFuture.completedFuture(null) : store.deleteSession(digest(token));
    }

    /** Whether {@code presented} is the session's CSRF token (constant time). */
    static boolean csrfMatches(Session session, @Nullable String presented) {
        return presented != null
                && MessageDigest.isEqual(
                        session.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code Set-Cookie} value that hands the browser {@code token}. */
    static String cookie(String token, boolean secure) {
        DefaultCookie c = new DefaultCookie(COOKIE, token);
        c.setHttpOnly(true);
        c.setSecure(secure);
        c.setPath("/");
        c.setSameSite(CookieHeaderNames.SameSite.Strict);
        c.setMaxAge(ABSOLUTE.toSeconds());
        return ServerCookieEncoder.STRICT.encode(c);
    }

    /** The {@code Set-Cookie} value that removes the session cookie. */
    static String clearedCookie(boolean secure) {
        DefaultCookie c = new DefaultCookie(COOKIE, "");
        c.setHttpOnly(true);
        c.setSecure(secure);
        c.setPath("/");
        c.setSameSite(CookieHeaderNames.SameSite.Strict);
        c.setMaxAge(0);
        return ServerCookieEncoder.STRICT.encode(c);
    }

    private static @Nullable String token(@Nullable String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decode(cookieHeader)) {
            if (c.name().equals(COOKIE) && !c.value().isEmpty()) {
                return c.value();
            }
        }
        return null;
    }

    private static @Nullable Session parse(String digest, String value) {
        try {
            JsonNode n = Views.JSON.readTree(value);
            String csrf = n.path("csrf").asText("");
            return csrf.isEmpty()
                    ? null
                    : new Session(digest, csrf, n.path("created").asLong());
        } catch (IOException e) {
            return null;
        }
    }

    static String digest(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
