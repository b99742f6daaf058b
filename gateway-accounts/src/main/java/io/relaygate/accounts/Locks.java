package io.relaygate.accounts;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Short leases on a name, shared by every gateway on one store: one instance does a piece of work (an OAuth token
 * refresh) while the others wait for its result. A lease ends when its holder unlocks it or when its time runs out,
 * so a holder that dies never blocks the others for longer than the lease.
 */
public interface Locks {

    /** Takes {@code name} for {@code owner} for {@code ttl} if nobody holds it; completes with whether it did. */
    CompletionStage<Boolean> tryLock(String name, String owner, Duration ttl);

    /** Gives {@code name} back if {@code owner} still holds it; a lease taken over by another owner is left alone. */
    CompletionStage<Void> unlock(String name, String owner);
}
