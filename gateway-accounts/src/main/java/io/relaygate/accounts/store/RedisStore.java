package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisException;
import io.relaygate.accounts.AccountStore;
import io.relaygate.accounts.ApiKeyStore;
import io.relaygate.accounts.Documents;
import io.relaygate.accounts.KeyHasher;
import io.relaygate.accounts.Locks;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.StoreChanges;
import io.relaygate.accounts.StoreException;
import io.relaygate.accounts.state.RedisSharedState;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Secrets;

/**
 * The Redis store on a single server, a Sentinel-watched master or a Cluster ({@link RedisLink}): one shared Lettuce
 * connection (Lettuce pipelines concurrent commands over it), its async API only, and a pub/sub connection for the
 * change channel {@code <prefix>changes}. Results complete on Lettuce's I/O threads, and the server hops them back to
 * the channel's event loop; once the server gave its loops ({@link #runOn}), a call made on one of them goes over that
 * loop's own connection and completes on it.
 */
final class RedisStore implements Store {

    /** How long closing the store's loop connections waits for the spends still parked on the loops to be written. */
    private static final java.time.Duration LOOP_FLUSH_TIMEOUT = java.time.Duration.ofSeconds(2);

    /** The channel under the store's prefix on which every instance publishes its admin changes. */
    static final String CHANGE_CHANNEL = "changes";

    private final RedisLink link;
    /** Lettuce's command events, for the server's metrics once it observes them. */
    private final CommandEvents events;

    private final String description;
    private final ChangeFeed changes;
    private final KeyTable keys;
    private final AccountTable accounts;
    private final RedisSharedState state;
    private final Locks locks;
    private final RedisRequestRecords requests;
    private final RedisAdminStore admin;
    private final RedisDocuments documents;
    private final PeopleTable people;
    private final RedisSignInStore signIns;

    private RedisStore(
            RedisLink link,
            CommandEvents events,
            String description,
            String prefix,
            CredentialCipher cipher,
            KeyHasher hasher,
            java.time.Duration localAdmission) {
        this.link = link;
        this.events = events;
        this.description = description;
        var redis = link.commands();
        String channel = prefix + CHANGE_CHANNEL;
        this.changes = new ChangeFeed(message -> redis.publish(channel, message));
        this.keys = new KeyTable(new RedisTable<>(redis, prefix, KeyCodec.INSTANCE), changes, hasher);
        this.accounts = new AccountTable(new RedisTable<>(redis, prefix, new AccountCodec(cipher)), changes);
        java.util.function.Function<String, java.util.concurrent.CompletionStage<?>> published =
                accountId -> changes.publish(StoreChange.accountState(accountId));
        // on one server, a spend made on a loop the store runs on rides with that loop's next admission
        this.state = link.kind().equals(RedisLink.CLUSTER)
                ? new RedisSharedState(redis, prefix, published, false)
                : new RedisSharedState(redis, prefix, published, link.currentLoop(), localAdmission);
        this.locks = new RedisLocks(redis, prefix);
        this.requests =
                new RedisRequestRecords(redis, prefix, RedisRequestRecords.DEFAULT_MAX_RECORDS, state.groupCommit());
        this.admin = new RedisAdminStore(redis, prefix);
        this.documents = new RedisDocuments(redis, prefix, changes);
        this.people = new PeopleTable(new RedisTable<>(redis, prefix, PersonCodec.INSTANCE), changes);
        this.signIns = new RedisSignInStore(redis, prefix, changes);
        link.subscribe(channel, changes::deliver, () -> changes.deliver(new StoreChange(StoreChange.Kind.ALL, null)));
    }

    /**
     * Connects (blocking, at start-up only) to {@code url} and subscribes to the change channel.
     *
     * @param localAdmission how long an event loop's view of a key lets it admit the key's requests itself while they
     *     are far from its limits (zero: never; RedisLoopStandings)
     * @throws StoreException naming the URL without its password when Redis cannot be reached
     */
    static RedisStore open(
            String url, String prefix, CredentialCipher cipher, KeyHasher hasher, java.time.Duration localAdmission) {
        requireNonNull(url, "url");
        requireNonNull(prefix, "prefix");
        requireNonNull(cipher, "cipher");
        String redacted = Secrets.redactUrl(url);
        RedisLink link;
        CommandEvents events = new CommandEvents();
        try {
            link = RedisLink.open(url, events);
        } catch (IllegalArgumentException e) {
            throw new StoreException("redis URL " + redacted + ": " + Secrets.redact(String.valueOf(e.getMessage())));
        } catch (RedisException e) {
            throw new StoreException("cannot connect to Redis at " + redacted + ": " + rootMessage(e));
        }
        try {
            return new RedisStore(
                    link, events, redacted + " (prefix " + prefix + ")", prefix, cipher, hasher, localAdmission);
        } catch (RedisException e) {
            link.close();
            throw new StoreException("cannot subscribe to Redis at " + redacted + ": " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return Secrets.redact(String.valueOf(t.getMessage()));
    }

    @Override
    public ApiKeyStore keys() {
        return keys;
    }

    @Override
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public SharedState state() {
        return state;
    }

    @Override
    public io.relaygate.accounts.people.PeopleStore people() {
        return people;
    }

    @Override
    public io.relaygate.accounts.people.SignInStore signIns() {
        return signIns;
    }

    @Override
    public io.relaygate.accounts.AdminStore admin() {
        return admin;
    }

    @Override
    public Documents documents() {
        return documents;
    }

    @Override
    public Locks locks() {
        return locks;
    }

    @Override
    public StoreChanges changes() {
        return changes;
    }

    @Override
    public io.relaygate.accounts.ledger.RequestRecords requests() {
        return requests;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> ping() {
        return link.commands().ping().thenApply(pong -> null);
    }

    @Override
    public AutoCloseable runOn(
            io.netty.channel.EventLoopGroup loops, Class<? extends io.netty.channel.Channel> channelClass) {
        requireNonNull(loops, "loops");
        requireNonNull(channelClass, "channelClass");
        AutoCloseable connections = link.runOn(loops, channelClass);
        return () -> {
            try {
                connections.close();
            } finally {
                // the spends still parked on the loops go now (over the shared connection: the loops' are closed),
                // while the loops run: a loop that stops drops its timers
                state.flushLoops(LOOP_FLUSH_TIMEOUT);
            }
        };
    }

    @Override
    public void observeCommands(io.relaygate.accounts.CommandObserver observer) {
        events.observer(observer);
    }

    @Override
    public void close() {
        // what waits for a spend goes now, before the connection closes
        state.close();
        link.close();
    }
}
