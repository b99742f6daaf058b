package io.relaygate.accounts;

import java.util.concurrent.Executor;

/** What the caches on the request path share. */
final class Caches {

    /**
     * Runs a cache's upkeep (draining its read buffer, expiring entries) on the thread that touched it, a few
     * microseconds every so many reads. Caffeine's default hands it to {@code ForkJoinPool.commonPool()}, which wakes
     * a pool thread from the event loop a few times a second per cache under load: a futex wake and a context switch
     * each, on the cores the event loops need. The loaders are asynchronous already, so nothing blocks the caller.
     */
    static final Executor SAME_THREAD = Runnable::run;

    private Caches() {}
}
