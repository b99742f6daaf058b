package io.relaygate.accounts;

/**
 * The gateway's state: one instance per process, opened by {@code StoreFactory} from the store config and shared by
 * the server and the admin commands. Every operation is asynchronous because the Redis backend runs on the hot path
 * and nothing may block a Netty event loop; completions may run on the backend's own threads, so callers hop back
 * to their event loop.
 */
public interface Store extends AutoCloseable {

    ApiKeyStore keys();

    AccountStore accounts();

    /** Limits, sticky sessions, account conditions and usage counters: what instances on this store share. */
    io.relaygate.accounts.state.SharedState state();

    /** Per-request records: bounded, written in batches ({@code ledger.RequestLog}), read by key, account and time. */
    io.relaygate.accounts.ledger.RequestRecords requests();

    /** The console's sign-in state: the admin password's hash, sessions, failed sign-ins. */
    AdminStore admin();

    /** People who sign in, each owning a key's rules and usage. */
    io.relaygate.accounts.people.PeopleStore people();

    /** Short-lived sign-in state: signed-in sessions, device authorizations, one-time sign-in links. */
    io.relaygate.accounts.people.SignInStore signIns();

    /** Operator data kept whole: the model catalogue and the client signatures. */
    Documents documents();

    /** Short leases shared by every instance on this store (one OAuth refresh at a time per account). */
    Locks locks();

    /**
     * The change channel: admin changes written through this store (keys, accounts, account conditions) are published
     * here once written, and changes written by other instances or processes arrive here.
     */
    StoreChanges changes();

    /**
     * Where the state lives, for start-up output, with secrets redacted, e.g. {@code embedded store in ./data} or
     * {@code redis://127.0.0.1:6379 (prefix relaygate:)}.
     */
    String describe();

    /**
     * Whether the backend answers: completes normally when it does, exceptionally when it does not (Redis: a
     * {@code PING}). The embedded store is always there. For the readiness probe, which bounds the wait itself.
     */
    default java.util.concurrent.CompletionStage<Void> ping() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * Runs the backend's connections on the caller's event loops where it can (Redis, standalone or Sentinel: one
     * connection per loop of {@code loops}), so that a call made on one of those loops completes on it without a
     * thread hand-off. Blocks while connecting: call it at start-up, off those loops. From then on no result of this
     * store may be waited for (join, get) on one of those loops: its answer is read by that loop. Calls from other
     * threads keep the backend's own connection. The returned handle moves the calls back to that connection and closes
     * the per-loop ones; close it before the loops stop. The embedded store, whose calls need no I/O, does nothing.
     *
     * @param channelClass the socket channel class {@code loops} run (epoll or NIO): the backend uses its own
     *     connection when it would open another kind
     */
    default AutoCloseable runOn(
            io.netty.channel.EventLoopGroup loops, Class<? extends io.netty.channel.Channel> channelClass) {
        return () -> {};
    }

    /** Tells {@code observer} of every backend command from now on (replacing an earlier one); the embedded store has none. */
    default void observeCommands(CommandObserver observer) {}

    /** Releases files and connections; does not throw. */
    @Override
    void close();
}
