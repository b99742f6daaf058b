package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.core.ApiKey;
import io.relaygate.core.Durations;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Secrets;
import io.relaygate.core.config.SchedulingConfig;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates gateway keys and authenticates presented secrets. A secret is {@code rg_<id>_<32 random characters>}: the
 * embedded id makes a lookup a single get, and only a salted hash under the server's pepper is stored
 * ({@link KeyHasher}; a key of the older, unpeppered form is rewritten on its first successful use).
 *
 * <p>Lookups go through a short Caffeine cache (found keys only, so a key created by another process is never hidden
 * by an earlier miss); this service's own updates invalidate it, other processes' changes show after
 * {@link #DEFAULT_CACHE_TTL} at most. Disabled and expired keys are returned: the caller refuses them and says why.
 *
 * <p>Store outages: a key read successfully within {@code staleFor} is served as last read while the store fails
 * (stale while error), so a Redis blip does not refuse every client; the first stale answer of an outage is logged,
 * and so is the store's return. A key this instance has not read lately is still refused while the store is away: an
 * unknown secret is never admitted. The loader never fails towards Caffeine (its failures would be logged through
 * {@code System.Logger}, outside the logging setup, with a stack trace per request): a failed read is a
 * {@link Lookup} value that lives for no time.
 */
public final class ApiKeyService {

    private static final Logger logger = LoggerFactory.getLogger(ApiKeyService.class);

    /**
     * What one read of the store gave: the key (or its absence), or the store's failure; and the fingerprint of the
     * last secret verified against that read of the key ({@link KeyHasher#fingerprint}), so that the next request
     * with the same secret skips the HMAC. A new read (the TTL, an update, a rotation, a change from another process)
     * is a new {@code Lookup} and verifies afresh: what is remembered can never outlive the hash it was checked
     * against. Only a fingerprint is kept, never the secret.
     */
    private static final class Lookup {
        private final Optional<ApiKey> found;
        private final @Nullable Throwable failure;
        /** Written by whichever event loop verified last; a lost race only costs one more HMAC. */
        private volatile byte @Nullable [] verified;

        Lookup(Optional<ApiKey> found, @Nullable Throwable failure) {
            this.found = found;
            this.failure = failure;
        }

        Optional<ApiKey> found() {
            return found;
        }

        @Nullable
        Throwable failure() {
            return failure;
        }
    }

    /** How long a found key is served from memory before the store is asked again. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(5);

    /** Most keys held in the cache. */
    static final int MAX_CACHED_KEYS = 10_000;

    static final String SECRET_PREFIX = "rg_";
    static final int ID_LENGTH = 10;
    static final int RANDOM_LENGTH = 32;
    static final int VISIBLE_PREFIX_LENGTH = 12;
    static final int SECRET_LENGTH = SECRET_PREFIX.length() + ID_LENGTH + 1 + RANDOM_LENGTH;
    private static final int SALT_BYTES = 16;

    private final StoreBudget budget;
    private final ApiKeyStore store;
    private final @Nullable SignInTokens signIns;
    private final KeyHasher hasher;
    private final Clock clock;
    private final AsyncCache<String, Lookup> cache;
    /** Keys as last read from the store, for {@code staleFor} after that read: what an outage is served from. */
    private final Cache<String, ApiKey> lastKnown;

    private final AtomicBoolean servingStale = new AtomicBoolean();
    /** Keys whose unpeppered hash is being rewritten by this process. */
    private final java.util.Set<String> migrating = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A service on {@code store} with the defaults: the system clock, no store budget, no signed-in tokens. */
    public ApiKeyService(ApiKeyStore store) {
        this(builder(store));
    }

    /** A service on {@code store} whose clock, cache, outage behaviour and signed-in tokens can be set. */
    public static Builder builder(ApiKeyStore store) {
        return new Builder(store);
    }

    /** How an {@link ApiKeyService} is made; every setting has the default {@link #ApiKeyService(ApiKeyStore)} uses. */
    public static final class Builder {
        private final ApiKeyStore store;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private Duration cacheTtl = DEFAULT_CACHE_TTL;
        private Duration staleFor = SchedulingConfig.DEFAULT_STALE_FOR;
        private StoreBudget budget = StoreBudget.NONE;
        private @Nullable SignInTokens signIns;

        private Builder(ApiKeyStore store) {
            this.store = requireNonNull(store, "store");
        }

        /** Stamps {@code createdAt}. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Drives the cache expiry (tests advance a fake one). */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /** How long a found key is served from the cache before the store is asked again. */
        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = requireNonNull(cacheTtl, "cacheTtl");
            return this;
        }

        /** How long after its last successful read a key is still served while the store fails. */
        public Builder staleFor(Duration staleFor) {
            this.staleFor = requireNonNull(staleFor, "staleFor");
            return this;
        }

        /** How long a key lookup waits for the store before it serves the key as last read. */
        public Builder budget(StoreBudget budget) {
            this.budget = requireNonNull(budget, "budget");
            return this;
        }

        /**
         * Also admits signed-in tokens ({@link SignInTokens#ACCESS_PREFIX}): such a token is answered with its
         * person's key, so it spends under the person's rules exactly as that key would.
         */
        public Builder signIns(SignInTokens signIns) {
            this.signIns = requireNonNull(signIns, "signIns");
            return this;
        }

        public ApiKeyService build() {
            return new ApiKeyService(this);
        }
    }

    private ApiKeyService(Builder b) {
        this.budget = b.budget;
        this.store = b.store;
        this.signIns = b.signIns;
        this.hasher = store.hasher();
        this.clock = b.clock;
        Ticker ticker = b.ticker;
        Duration cacheTtl = b.cacheTtl;
        Duration staleFor = b.staleFor;
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl: " + cacheTtl + " (expected: >= 0)");
        }
        if (staleFor.isNegative()) {
            throw new IllegalArgumentException("staleFor: " + staleFor + " (expected: >= 0)");
        }
        this.cache = Caffeine.newBuilder()
                .executor(Caches.SAME_THREAD)
                .ticker(ticker)
                .maximumSize(MAX_CACHED_KEYS)
                .expireAfter(Expiry.<String, Lookup>creating(
                        (id, lookup) -> lookup.found().isPresent() ? cacheTtl : Duration.ZERO))
                .buildAsync();
        this.lastKnown = Caffeine.newBuilder()
                .executor(Caches.SAME_THREAD)
                .ticker(ticker)
                .maximumSize(MAX_CACHED_KEYS)
                .expireAfterWrite(staleFor)
                .build();
    }

    /** Creates a key named {@code name}; the returned secret is the only copy there will ever be. */
    public CompletionStage<CreatedKey> create(String name, KeyRules rules) {
        Names.check("name", requireNonNull(name, "name"));
        requireNonNull(rules, "rules");
        String id = Ids.random(ID_LENGTH);
        String secret = SECRET_PREFIX + id + "_" + Ids.random(RANDOM_LENGTH);
        byte[] salt = Ids.randomBytes(SALT_BYTES);
        ApiKey key = new ApiKey(
                id,
                name,
                secret.substring(0, VISIBLE_PREFIX_LENGTH),
                Base64.getEncoder().encodeToString(salt),
                hasher.hash(salt, secret),
                true,
                clock.instant(),
                rules);
        return store.create(key).thenApply(stored -> {
            cache.synchronous().invalidate(id);
            return new CreatedKey(stored, secret);
        });
    }

    /**
     * The key whose secret is {@code presentedSecret}, or empty when the secret is malformed, unknown or wrong. Fails
     * only when the store does.
     */
    public CompletionStage<Optional<ApiKey>> authenticate(String presentedSecret) {
        requireNonNull(presentedSecret, "presentedSecret");
        SignInTokens tokens = signIns;
        if (tokens != null && SignInTokens.isAccessToken(presentedSecret)) {
            return tokens.authenticate(presentedSecret)
                    .thenCompose(session -> session.isEmpty()
                            ? CompletableFuture.completedFuture(Optional.<ApiKey>empty())
                            : cached(session.get().keyId(), (lookup, key) -> true));
        }
        String id = idOf(presentedSecret);
        if (id == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return cached(id, (lookup, key) -> matches(lookup, key, presentedSecret));
    }

    /**
     * Drops what this service remembers of signed-in session {@code id} ({@code null}: of every one), after another
     * instance or process revoked or rotated it.
     */
    public void forgetSession(@Nullable String id) {
        SignInTokens tokens = signIns;
        if (tokens != null) {
            tokens.forget(id);
        }
    }

    /** The key {@code id} through the cache, if {@code accept} takes it. */
    private CompletionStage<Optional<ApiKey>> cached(String id, java.util.function.BiPredicate<Lookup, ApiKey> accept) {
        CompletableFuture<Lookup> lookup = cache.get(id, (k, executor) -> load(k));
        return lookup.thenApply(result -> {
            Throwable failure = result.failure();
            if (failure != null) {
                // a failure lives for no time: the next request asks the store again
                cache.asMap().remove(id, lookup);
                throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
            }
            return result.found().filter(key -> accept.test(result, key));
        });
    }

    /**
     * Whether {@code secret} is {@code key}'s (as {@code lookup} read it): at once when it is the secret last verified
     * against this read, else by its hash; a right secret against an unpeppered hash migrates the hash.
     */
    private boolean matches(Lookup lookup, ApiKey key, String secret) {
        byte[] print = KeyHasher.fingerprint(secret);
        byte[] known = lookup.verified;
        if (known != null && MessageDigest.isEqual(known, print)) {
            return true;
        }
        byte[] salt;
        try {
            salt = Base64.getDecoder().decode(key.salt());
        } catch (IllegalArgumentException e) {
            return false;
        }
        KeyHasher.Match match = hasher.verify(salt, key.secretHash(), secret);
        if (match == KeyHasher.Match.YES_UNPEPPERED && migrating.add(key.id())) {
            migrate(key, secret);
        }
        if (match == KeyHasher.Match.NO) {
            return false;
        }
        lookup.verified = print;
        return true;
    }

    /**
     * Rewrites {@code key}'s hash under the pepper, once per key and process, off the request's path (the request
     * goes on at once). Reads the key again first, so a change made meanwhile (rules, a rename) is kept; a failed
     * write is retried on a later use.
     */
    private void migrate(ApiKey key, String secret) {
        byte[] salt = Ids.randomBytes(SALT_BYTES);
        String hash = hasher.hash(salt, secret);
        store.findById(key.id())
                .thenCompose(found -> {
                    ApiKey current = found.orElse(null);
                    if (current == null || !current.secretHash().equals(key.secretHash())) {
                        // deleted, or migrated (or its secret changed) elsewhere meanwhile
                        return CompletableFuture.completedFuture(null);
                    }
                    return store.update(
                                    current.withSecretHash(Base64.getEncoder().encodeToString(salt), hash))
                            .thenApply(stored -> {
                                cache.synchronous().invalidate(stored.id());
                                logger.info("key {}: its stored hash now uses the server's pepper", stored.name());
                                return stored;
                            });
                })
                .whenComplete((done, e) -> {
                    if (e != null) {
                        migrating.remove(key.id());
                        logger.warn(
                                "key {}: could not store its peppered hash, will retry on its next use: {}",
                                key.name(),
                                Secrets.redact(String.valueOf(e)));
                    }
                });
    }

    /** Reads a key; on a store failure answers with the last known key, else with the failure, never exceptionally. */
    private CompletableFuture<Lookup> load(String id) {
        CompletableFuture<Optional<ApiKey>> read;
        try {
            read = budget.within(store.findById(id), "reading a key");
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((found, e) -> {
            if (e == null) {
                if (found.isPresent()) {
                    lastKnown.put(id, found.get());
                } else {
                    lastKnown.invalidate(id);
                }
                if (servingStale.compareAndSet(true, false)) {
                    logger.info("key store is back: keys are read from it again");
                }
                return new Lookup(found, null);
            }
            ApiKey stale = lastKnown.getIfPresent(id);
            if (stale == null) {
                return new Lookup(Optional.empty(), e);
            }
            if (servingStale.compareAndSet(false, true)) {
                logger.warn(
                        "key store unavailable, serving keys as last read (up to {} old) until it is back: {}",
                        Durations.format(staleLimit()),
                        Secrets.redact(String.valueOf(e)));
            }
            return new Lookup(Optional.of(stale), null);
        });
    }

    private Duration staleLimit() {
        return lastKnown
                .policy()
                .expireAfterWrite()
                .map(p -> p.getExpiresAfter())
                .orElse(Duration.ZERO);
    }

    /**
     * Gives the key named {@code name} a new secret (same id, name and rules); the old secret is refused from the
     * next lookup on. The returned secret is the only copy there will ever be.
     */
    public CompletionStage<CreatedKey> rotate(String name) {
        requireNonNull(name, "name");
        return store.findByName(name).thenCompose(found -> {
            ApiKey key = found.orElseThrow(() -> notFound(name));
            String secret = SECRET_PREFIX + key.id() + "_" + Ids.random(RANDOM_LENGTH);
            byte[] salt = Ids.randomBytes(SALT_BYTES);
            ApiKey rotated = new ApiKey(
                    key.id(),
                    key.name(),
                    secret.substring(0, VISIBLE_PREFIX_LENGTH),
                    Base64.getEncoder().encodeToString(salt),
                    hasher.hash(salt, secret),
                    key.enabled(),
                    key.createdAt(),
                    key.rules());
            return update(rotated).thenApply(stored -> new CreatedKey(stored, secret));
        });
    }

    /** Disables the key named {@code name}; fails with {@code NOT_FOUND} when there is none. */
    public CompletionStage<ApiKey> disable(String name) {
        requireNonNull(name, "name");
        return store.findByName(name).thenCompose(found -> {
            ApiKey key = found.orElseThrow(() -> notFound(name));
            return update(key.withEnabled(false));
        });
    }

    /** Replaces a key (rules, enabled flag, name) and drops it from this service's cache. */
    public CompletionStage<ApiKey> update(ApiKey key) {
        requireNonNull(key, "key");
        Names.check("name", key.name());
        cache.synchronous().invalidate(key.id());
        return store.update(key).thenApply(stored -> {
            cache.synchronous().invalidate(stored.id());
            lastKnown.put(stored.id(), stored);
            return stored;
        });
    }

    /**
     * Drops key {@code id} from the cache, so the next lookup reads the store: how a change made by another instance
     * or process shows here at once ({@link StoreChanges}). The last-known copy kept for store outages goes too: a key
     * changed elsewhere is never served from before the change.
     *
     * <p>{@code null} (the store reconnected, and changes published meanwhile may have been missed) drops every cached
     * key but keeps the last-known copies: the next lookups read the store, and only if it still fails (one of the
     * store's connections back before the other) are they served as last read, as during the outage itself. Dropping
     * them too made the first requests after an outage fail with 503 for keys that had been served all through it.
     */
    public void invalidate(@Nullable String id) {
        if (id == null) {
            cache.synchronous().invalidateAll();
        } else {
            cache.synchronous().invalidate(id);
            lastKnown.invalidate(id);
        }
    }

    /** Every key, ordered by name. */
    public CompletionStage<List<ApiKey>> list() {
        return store.list();
    }

    /** The id embedded in a well-formed secret, else {@code null}; no lookup is spent on garbage. */
    static @Nullable String idOf(String secret) {
        if (secret.length() != SECRET_LENGTH
                || !secret.startsWith(SECRET_PREFIX)
                || secret.charAt(SECRET_PREFIX.length() + ID_LENGTH) != '_') {
            return null;
        }
        for (int i = SECRET_PREFIX.length(); i < SECRET_LENGTH; i++) {
            if (i != SECRET_PREFIX.length() + ID_LENGTH && !isAlphanumeric(secret.charAt(i))) {
                return null;
            }
        }
        return secret.substring(SECRET_PREFIX.length(), SECRET_PREFIX.length() + ID_LENGTH);
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static GatewayException notFound(String name) {
        return new GatewayException(ErrorKind.NOT_FOUND, "key name: " + name + " not found");
    }
}
