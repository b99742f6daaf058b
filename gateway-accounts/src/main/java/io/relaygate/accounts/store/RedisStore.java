package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.relaygate.accounts.AccountStore;
import io.relaygate.accounts.ApiKeyStore;
import io.relaygate.accounts.Locks;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreException;
import io.relaygate.accounts.state.RedisSharedState;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Secrets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis store: one shared Lettuce connection (Lettuce pipelines concurrent commands over it), its async API only.
 * Results complete on Lettuce's I/O threads; the server hops them back to the channel's event loop.
 */
final class RedisStore implements Store {

    private static final Logger logger = LoggerFactory.getLogger(RedisStore.class);

    /** A command that gets no answer within this fails instead of leaving a request hanging. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String description;
    private final KeyTable keys;
    private final AccountTable accounts;
    private final RedisSharedState state;
    private final Locks locks;
    private final CommandEvents events;

    private RedisStore(
            RedisClient client,
            StatefulRedisConnection<String, String> connection,
            String description,
            String prefix,
            CredentialCipher cipher,
            CommandEvents events) {
        this.client = client;
        this.events = events;
        this.connection = connection;
        this.description = description;
        this.keys = new KeyTable(new RedisTable<>(connection.async(), prefix, KeyCodec.INSTANCE));
        this.accounts = new AccountTable(new RedisTable<>(connection.async(), prefix, new AccountCodec(cipher)));
        this.state = new RedisSharedState(connection.async(), prefix);
        this.locks = new RedisLocks(connection.async(), prefix);
    }

    /**
     * Connects (blocking, at start-up only) to {@code url}.
     *
     * @throws StoreException naming the URL without its password when Redis cannot be reached
     */
    static RedisStore open(String url, String prefix, CredentialCipher cipher) {
        requireNonNull(url, "url");
        requireNonNull(prefix, "prefix");
        requireNonNull(cipher, "cipher");
        String redacted = Secrets.redactUrl(url);
        RedisClient client;
        try {
            client = RedisClient.create(RedisURI.create(url));
        } catch (IllegalArgumentException e) {
            throw new StoreException("redis URL " + redacted + ": " + e.getMessage());
        }
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                // While Redis is away commands fail at once instead of queueing for the command timeout: admission
                // then fails open without a stall and usage waits in the UsageRecorder's buffer. Lettuce keeps
                // reconnecting in the background.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        // before connecting: Lettuce gives a connection the listeners its client has then
        CommandEvents events = new CommandEvents();
        client.addListener(events);
        try {
            StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8);
            return new RedisStore(client, connection, redacted + " (prefix " + prefix + ")", prefix, cipher, events);
        } catch (RedisException e) {
            client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
            throw new StoreException("cannot connect to Redis at " + redacted + ": " + rootMessage(e));
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
    public Locks locks() {
        return locks;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> ping() {
        return connection.async().ping().thenApply(pong -> null);
    }

    @Override
    public void observeCommands(io.relaygate.accounts.CommandObserver observer) {
        events.observer(observer);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (RuntimeException e) {
            logger.warn("closing the Redis connection to {} failed: {}", description, e.toString());
        }
        client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
    }
}
