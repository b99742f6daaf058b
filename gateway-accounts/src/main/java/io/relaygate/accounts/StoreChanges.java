package io.relaygate.accounts;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The change channel of a store: admin changes written through any instance (a gateway's admin API or a CLI process)
 * reach every instance's listeners, so caches are dropped at once instead of when their TTL runs out. On Redis it is
 * pub/sub on {@code <prefix>changes}; the embedded store tells its own listeners and watches its files for other
 * processes' writes. Delivery is best effort: a missed message costs at most a cache TTL.
 */
public interface StoreChanges {

    /**
     * Calls {@code listener} for each change, on a store thread: it must be quick and must not block.
     *
     * @return closes the subscription
     */
    AutoCloseable subscribe(Consumer<StoreChange> listener);

    /**
     * Tells every instance about {@code change}; completes once it is handed to the store (never exceptionally: a
     * failed publish is logged and the caches' TTL covers it). The store's own writes publish themselves; this is
     * for changes kept elsewhere (the catalogue).
     */
    CompletionStage<Void> publish(StoreChange change);
}
