package io.relaygate.accounts.people;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.people.SignInStore.Kind;
import io.relaygate.core.Ids;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The device authorization grant (RFC 8628) and the operator's one-time sign-in links that approve it.
 *
 * <p>A device code is 43 random characters (over 256 bits), stored under its SHA-256 only, single use: the first
 * poll after approval gets the person, every later one {@code invalid_grant}. A user code is 8 letters of RFC 8628
 * §6.1's base-20 alphabet (no vowels), shown as {@code XXXX-XXXX}. Polling faster than the interval is answered
 * {@code slow_down} and the interval grows by 5 seconds (§3.5). A link is {@code rgl_} and 43 random characters,
 * stored under its SHA-256, and works once.
 */
public final class DeviceGrants {

    static final String USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    static final int USER_CODE_LENGTH = 8;
    static final String LINK_PREFIX = "rgl_";
    /** RFC 8628 §3.5: each {@code slow_down} adds this to the interval. */
    static final int SLOW_DOWN_STEP_SECONDS = 5;
    /** How long an answered device code is kept after its end, so a late poll hears {@code expired_token}. */
    static final Duration GRACE = Duration.ofMinutes(10);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the device authorization endpoint answers. */
    public record Started(String deviceCode, String userCode, Duration expiresIn, int intervalSeconds) {}

    /** What a poll of the token endpoint hears (RFC 8628 §3.5). */
    public enum Outcome {
        PENDING,
        SLOW_DOWN,
        EXPIRED,
        DENIED,
        APPROVED,
        /** Unknown, or already exchanged for tokens. */
        INVALID
    }

    /** A poll's outcome; {@code personId} is set when approved, {@code client} when known. */
    public record Poll(
            Outcome outcome,
            @Nullable String personId,
            @Nullable String client) {}

    /** What an approval did. */
    public enum Approval {
        APPROVED,
        DENIED,
        UNKNOWN_CODE,
        EXPIRED,
        ALREADY_ANSWERED
    }

    /** The stored state of one device code. */
    record Device(
            String userCode,
            String state,
            @Nullable String personId,
            long lastPollMillis,
            int interval,
            String client,
            Instant expiresAt) {

        Device with(String newState, @Nullable String person, long polled, int newInterval) {
            return new Device(userCode, newState, person, polled, newInterval, client, expiresAt);
        }
    }

    /** The stored state of one link. */
    record Link(String personId, Instant expiresAt) {}

    private static final String PENDING = "pending";
    private static final String APPROVED = "approved";
    private static final String DENIED = "denied";
    private static final String USED = "used";

    private final SignInStore store;
    private final Clock clock;
    private final Duration codeTtl;
    private final int intervalSeconds;

    /**
     * @param codeTtl how long a device code waits for approval ({@code expires_in})
     * @param intervalSeconds the poll interval the client is told
     */
    public DeviceGrants(SignInStore store, Clock clock, Duration codeTtl, int intervalSeconds) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.codeTtl = requireNonNull(codeTtl, "codeTtl");
        if (codeTtl.isNegative() || codeTtl.isZero()) {
            throw new IllegalArgumentException("codeTtl: " + codeTtl + " (expected: > 0)");
        }
        if (intervalSeconds < 1) {
            throw new IllegalArgumentException("intervalSeconds: " + intervalSeconds + " (expected: >= 1)");
        }
        this.intervalSeconds = intervalSeconds;
    }

    /** Starts a device authorization for {@code client} (its User-Agent and surface, for the audit). */
    public CompletionStage<Started> start(String client) {
        String deviceCode = Ids.random(43);
        String userCode = newUserCode();
        Instant now = clock.instant();
        Device d = new Device(userCode, PENDING, null, 0, intervalSeconds, client, now.plus(codeTtl));
        String id = SignInJson.digest(deviceCode);
        return store.put(Kind.DEVICE, id, SignInJson.write(d), codeTtl.plus(GRACE))
                .thenCompose(v -> store.put(Kind.USER_CODE, userCode, id, codeTtl))
                .thenApply(v -> new Started(deviceCode, display(userCode), codeTtl, intervalSeconds));
    }

    /** One poll of the token endpoint with {@code deviceCode}. */
    public CompletionStage<Poll> poll(String deviceCode) {
        String id = SignInJson.digest(deviceCode);
        return store.get(Kind.DEVICE, id).thenCompose(raw -> {
            if (raw.isEmpty()) {
                return done(Outcome.INVALID, null, null);
            }
            Device d = SignInJson.read(raw.get(), Device.class);
            long now = clock.millis();
            switch (d.state()) {
                case APPROVED:
                    return store.replace(
                                    Kind.DEVICE,
                                    id,
                                    raw.get(),
                                    SignInJson.write(d.with(USED, d.personId(), now, d.interval())),
                                    GRACE)
                            .thenApply(won -> won
                                    ? new Poll(Outcome.APPROVED, d.personId(), d.client())
                                    : new Poll(Outcome.INVALID, null, null));
                case DENIED:
                    return done(Outcome.DENIED, null, d.client());
                case PENDING:
                    if (now >= d.expiresAt().toEpochMilli()) {
                        return done(Outcome.EXPIRED, null, d.client());
                    }
                    boolean tooSoon = d.lastPollMillis() != 0 && now - d.lastPollMillis() < d.interval() * 1000L;
                    int interval = tooSoon ? d.interval() + SLOW_DOWN_STEP_SECONDS : d.interval();
                    Duration keep = Duration.ofMillis(d.expiresAt().toEpochMilli() - now)
                            .plus(GRACE);
                    return store.replace(
                                    Kind.DEVICE,
                                    id,
                                    raw.get(),
                                    SignInJson.write(d.with(PENDING, null, now, interval)),
                                    keep)
                            .thenApply(v -> new Poll(tooSoon ? Outcome.SLOW_DOWN : Outcome.PENDING, null, d.client()));
                default:
                    return done(Outcome.INVALID, null, null);
            }
        });
    }

    /** Approves (or, {@code approve} false, denies) the device code shown as {@code userCode} for {@code personId}. */
    public CompletionStage<Approval> answer(String userCode, String personId, boolean approve) {
        String code = normalize(userCode);
        if (code == null) {
            return CompletableFuture.completedFuture(Approval.UNKNOWN_CODE);
        }
        return store.get(Kind.USER_CODE, code).thenCompose(deviceId -> {
            if (deviceId.isEmpty()) {
                return CompletableFuture.completedFuture(Approval.UNKNOWN_CODE);
            }
            return store.get(Kind.DEVICE, deviceId.get()).thenCompose(raw -> {
                if (raw.isEmpty()) {
                    return CompletableFuture.completedFuture(Approval.UNKNOWN_CODE);
                }
                Device d = SignInJson.read(raw.get(), Device.class);
                long now = clock.millis();
                if (!PENDING.equals(d.state())) {
                    return CompletableFuture.completedFuture(Approval.ALREADY_ANSWERED);
                }
                if (now >= d.expiresAt().toEpochMilli()) {
                    return CompletableFuture.completedFuture(Approval.EXPIRED);
                }
                Device next = d.with(
                        approve ? APPROVED : DENIED, approve ? personId : null, d.lastPollMillis(), d.interval());
                Duration keep =
                        Duration.ofMillis(d.expiresAt().toEpochMilli() - now).plus(GRACE);
                return store.replace(Kind.DEVICE, deviceId.get(), raw.get(), SignInJson.write(next), keep)
                        .thenCompose(won -> won
                                ? store.delete(Kind.USER_CODE, code)
                                        .thenApply(v -> approve ? Approval.APPROVED : Approval.DENIED)
                                : CompletableFuture.completedFuture(Approval.ALREADY_ANSWERED));
            });
        });
    }

    /** A one-time sign-in link's secret for {@code personId}, valid for {@code ttl}. */
    public CompletionStage<String> createLink(String personId, Duration ttl) {
        String secret = LINK_PREFIX + Ids.random(43);
        Link link = new Link(personId, clock.instant().plus(ttl));
        return store.put(Kind.LINK, SignInJson.digest(secret), SignInJson.write(link), ttl)
                .thenApply(v -> secret);
    }

    /** Uses up the link {@code secret}: the person it was made for, once; empty when unknown, used or run out. */
    public CompletionStage<Optional<String>> redeemLink(String secret) {
        if (!secret.startsWith(LINK_PREFIX)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return store.take(Kind.LINK, SignInJson.digest(secret))
                .thenApply(raw -> raw.map(r -> SignInJson.read(r, Link.class))
                        .filter(l -> clock.instant().isBefore(l.expiresAt()))
                        .map(Link::personId));
    }

    /** Whether the link {@code secret} is there and unused, without using it (the page asks before approving). */
    public CompletionStage<Optional<String>> peekLink(String secret) {
        if (!secret.startsWith(LINK_PREFIX)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return store.get(Kind.LINK, SignInJson.digest(secret))
                .thenApply(raw -> raw.map(r -> SignInJson.read(r, Link.class))
                        .filter(l -> clock.instant().isBefore(l.expiresAt()))
                        .map(Link::personId));
    }

    private static CompletionStage<Poll> done(Outcome outcome, @Nullable String person, @Nullable String client) {
        return CompletableFuture.completedFuture(new Poll(outcome, person, client));
    }

    static String newUserCode() {
        char[] out = new char[USER_CODE_LENGTH];
        for (int i = 0; i < out.length; i++) {
            out[i] = USER_CODE_ALPHABET.charAt(RANDOM.nextInt(USER_CODE_ALPHABET.length()));
        }
        return new String(out);
    }

    static String display(String code) {
        return code.substring(0, 4) + "-" + code.substring(4);
    }

    /** The stored form of a code as a person typed it (any case, with or without the dash and spaces), or null. */
    static @Nullable String normalize(String typed) {
        StringBuilder b = new StringBuilder(USER_CODE_LENGTH);
        for (int i = 0; i < typed.length(); i++) {
            char c = typed.charAt(i);
            if (c == '-' || c == ' ') {
                continue;
            }
            char u = Character.toUpperCase(c);
            if (USER_CODE_ALPHABET.indexOf(u) < 0 || b.length() == USER_CODE_LENGTH) {
                return null;
            }
            b.append(u);
        }
        return b.length() == USER_CODE_LENGTH ? b.toString().toUpperCase(Locale.ROOT) : null;
    }
}
