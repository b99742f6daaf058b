package io.relaygate.accounts.people;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.relaygate.accounts.KeyHasher;
import io.relaygate.accounts.people.SignInStore.Kind;
import io.relaygate.core.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Issues, checks, rotates and revokes signed-in tokens. An access token is {@code rga_<session id>_<40 random>}, a
 * refresh token {@code rgr_<session id>_<40 random>}: the embedded id makes a check one read of the session, which
 * holds only salted hashes of both under the server's pepper ({@link KeyHasher}, as for keys). A refresh rotates both
 * tokens with a compare-and-set on the stored session, so a refresh token works once; revoking deletes the session.
 *
 * <p>Checked sessions are cached for {@link #CACHE_TTL} at most (and never past the access token's end): a revocation
 * through this instance takes effect at once, one through another instance within that time.
 */
public final class SignInTokens {

    public static final String ACCESS_PREFIX = "rga_";
    public static final String REFRESH_PREFIX = "rgr_";
    static final int ID_LENGTH = 16;
    static final int RANDOM_LENGTH = 40;
    static final Duration CACHE_TTL = Duration.ofSeconds(5);

    /** What the token endpoint answers with: the two secrets, shown once. */
    public record Issued(String accessToken, String refreshToken, Duration expiresIn, SignInSession session) {}

    private final SignInStore store;
    private final KeyHasher hasher;
    private final Clock clock;
    private final Duration accessTtl;
    private final Duration sessionTtl;
    private final Cache<String, SignInSession> checked;

    /**
     * @param accessTtl how long an access token is accepted (Claude Code refreshes before it runs out)
     * @param sessionTtl how long a sign-in lasts without signing in again (the refresh token's life)
     */
    public SignInTokens(SignInStore store, KeyHasher hasher, Clock clock, Duration accessTtl, Duration sessionTtl) {
        this.store = requireNonNull(store, "store");
        this.hasher = requireNonNull(hasher, "hasher");
        this.clock = requireNonNull(clock, "clock");
        this.accessTtl = positive(accessTtl, "accessTtl");
        this.sessionTtl = positive(sessionTtl, "sessionTtl");
        if (sessionTtl.compareTo(accessTtl) < 0) {
            throw new IllegalArgumentException(
                    "sessionTtl: " + sessionTtl + " (expected: at least accessTtl, " + accessTtl + ")");
        }
        this.checked = Caffeine.newBuilder()
                .expireAfterWrite(CACHE_TTL)
                .maximumSize(10_000)
                .build();
    }

    private static Duration positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
        return d;
    }

    /** Whether {@code secret} has the form of an access token (and so is not a key). */
    public static boolean isAccessToken(String secret) {
        return secret.startsWith(ACCESS_PREFIX);
    }

    /** Starts a session for {@code person} and answers its first tokens. */
    public CompletionStage<Issued> issue(Person person, String client, String address) {
        String id = Ids.random(ID_LENGTH);
        Instant now = clock.instant();
        String salt = Base64.getEncoder().encodeToString(Ids.randomBytes(16));
        String access = ACCESS_PREFIX + id + "_" + Ids.random(RANDOM_LENGTH);
        String refresh = REFRESH_PREFIX + id + "_" + Ids.random(RANDOM_LENGTH);
        SignInSession s = new SignInSession(
                id,
                person.id(),
                person.keyId(),
                salt,
                hash(salt, access),
                now.plus(accessTtl),
                hash(salt, refresh),
                now.plus(sessionTtl),
                now,
                client,
                address,
                0);
        return store.put(Kind.SESSION, id, SignInJson.write(s), sessionTtl)
                .thenApply(v -> new Issued(access, refresh, accessTtl, s));
    }

    /** The live session {@code accessToken} belongs to, if the token is its current one and has not run out. */
    public CompletionStage<Optional<SignInSession>> authenticate(String accessToken) {
        String id = sessionId(accessToken, ACCESS_PREFIX);
        if (id == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        SignInSession cached = checked.getIfPresent(id);
        CompletionStage<Optional<SignInSession>> read = cached != null
                ? CompletableFuture.completedFuture(Optional.of(cached))
                : session(id).thenApply(found -> {
                    found.ifPresent(s -> checked.put(id, s));
                    return found;
                });
        return read.thenApply(found -> found.filter(s -> matches(s.salt(), s.accessHash(), accessToken)
                && clock.instant().isBefore(s.accessExpiresAt())));
    }

    /**
     * Rotates a session's tokens for its current refresh token: completes with the new pair, or empty when the token
     * is unknown, was already used, or its session ended (the client signs in again).
     */
    public CompletionStage<Optional<Issued>> refresh(String refreshToken) {
        String id = sessionId(refreshToken, REFRESH_PREFIX);
        if (id == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return store.get(Kind.SESSION, id).thenCompose(raw -> {
            if (raw.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<Issued>empty());
            }
            SignInSession s = SignInJson.read(raw.get(), SignInSession.class);
            Instant now = clock.instant();
            if (!matches(s.salt(), s.refreshHash(), refreshToken) || !now.isBefore(s.expiresAt())) {
                return CompletableFuture.completedFuture(Optional.<Issued>empty());
            }
            String access = ACCESS_PREFIX + id + "_" + Ids.random(RANDOM_LENGTH);
            String refresh = REFRESH_PREFIX + id + "_" + Ids.random(RANDOM_LENGTH);
            Instant accessEnd = now.plus(accessTtl).isAfter(s.expiresAt()) ? s.expiresAt() : now.plus(accessTtl);
            SignInSession next = new SignInSession(
                    id,
                    s.personId(),
                    s.keyId(),
                    s.salt(),
                    hash(s.salt(), access),
                    accessEnd,
                    hash(s.salt(), refresh),
                    s.expiresAt(),
                    s.createdAt(),
                    s.client(),
                    s.address(),
                    s.generation() + 1);
            Duration left = Duration.between(now, s.expiresAt());
            return store.replace(Kind.SESSION, id, raw.get(), SignInJson.write(next), left)
                    .thenApply(won -> {
                        if (!won) {
                            return Optional.<Issued>empty();
                        }
                        checked.invalidate(id);
                        return Optional.of(new Issued(access, refresh, Duration.between(now, accessEnd), next));
                    });
        });
    }

    /** Forgets the checked session {@code id} ({@code null}: every one); the next check reads the store. */
    public void forget(@Nullable String id) {
        if (id == null) {
            checked.invalidateAll();
        } else {
            checked.invalidate(id);
        }
    }

    /** Ends session {@code id}; completes with whether there was one. */
    public CompletionStage<Boolean> revoke(String id) {
        checked.invalidate(id);
        return store.delete(Kind.SESSION, id).whenComplete((done, e) -> checked.invalidate(id));
    }

    /**
     * Ends the session of {@code token} (access or refresh, RFC 7009) when the token is its current one; completes
     * with whether it ended one. An unknown token is not an error (RFC 7009 §2.2).
     */
    public CompletionStage<Boolean> revokeToken(String token) {
        return endToken(token).thenApply(Optional::isPresent);
    }

    /** As {@link #revokeToken}, completing with the session it ended (for the security log), if any. */
    public CompletionStage<Optional<SignInSession>> endToken(String token) {
        boolean access = token.startsWith(ACCESS_PREFIX);
        String id = sessionId(token, access ? ACCESS_PREFIX : REFRESH_PREFIX);
        if (id == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return session(id).thenCompose(found -> {
            boolean current = found.isPresent()
                    && matches(
                            found.get().salt(),
                            access ? found.get().accessHash() : found.get().refreshHash(),
                            token);
            return current
                    ? revoke(id).thenApply(ended -> ended ? found : Optional.<SignInSession>empty())
                    : CompletableFuture.completedFuture(Optional.<SignInSession>empty());
        });
    }

    /** Session {@code id} as stored, if it has not ended. */
    public CompletionStage<Optional<SignInSession>> session(String id) {
        return store.get(Kind.SESSION, id).thenApply(raw -> raw.map(r -> SignInJson.read(r, SignInSession.class)));
    }

    /** Every live session, newest first; {@code personId} narrows to one person's. */
    public CompletionStage<List<SignInSession>> sessions(@Nullable String personId) {
        return store.all(Kind.SESSION).thenApply(all -> {
            List<SignInSession> out = new ArrayList<>();
            for (String raw : all.values()) {
                SignInSession s = SignInJson.read(raw, SignInSession.class);
                if (personId == null || personId.equals(s.personId())) {
                    out.add(s);
                }
            }
            out.sort(Comparator.comparing(SignInSession::createdAt).reversed());
            return out;
        });
    }

    private String hash(String salt, String secret) {
        return hasher.hash(Base64.getDecoder().decode(salt), secret);
    }

    private boolean matches(String salt, String stored, String secret) {
        return hasher.verify(Base64.getDecoder().decode(salt), stored, secret) != KeyHasher.Match.NO;
    }

    /** The session id inside a token of {@code prefix}, or null when the token does not have the form. */
    static @Nullable String sessionId(String token, String prefix) {
        if (!token.startsWith(prefix)
                || token.length() != prefix.length() + ID_LENGTH + 1 + RANDOM_LENGTH
                || token.charAt(prefix.length() + ID_LENGTH) != '_') {
            return null;
        }
        String id = token.substring(prefix.length(), prefix.length() + ID_LENGTH);
        for (int i = 0; i < id.length(); i++) {
            if (!Character.isLetterOrDigit(id.charAt(i)) || id.charAt(i) > 'z') {
                return null;
            }
        }
        return id;
    }
}
