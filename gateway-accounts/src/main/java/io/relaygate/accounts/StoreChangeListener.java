package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

/**
 * Applies the store's change messages to one gateway's caches: a key change drops that key from the
 * {@link ApiKeyService} cache, an account change the {@link AccountSelector}'s list, a condition change the
 * {@link Scheduler}'s view. Runs on a store thread; each step is a cache invalidation, nothing blocks.
 */
public final class StoreChangeListener implements Consumer<StoreChange> {

    private final ApiKeyService keys;
    private final Scheduler scheduler;

    public StoreChangeListener(ApiKeyService keys, Scheduler scheduler) {
        this.keys = requireNonNull(keys, "keys");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** Subscribes a listener for {@code keys} and {@code scheduler} to {@code store}'s changes; close to stop. */
    public static AutoCloseable subscribe(Store store, ApiKeyService keys, Scheduler scheduler) {
        return store.changes().subscribe(new StoreChangeListener(keys, scheduler));
    }

    @Override
    public void accept(StoreChange change) {
        switch (change.kind()) {
            case KEY -> keys.invalidate(change.id());
            case ACCOUNT -> scheduler.invalidateAccounts();
            case ACCOUNT_STATE -> scheduler.invalidateConditions();
            case SESSION -> keys.forgetSession(change.id());
            case CATALOGUE, SIGNATURES, SETTINGS -> {
                // each LiveDocument subscribes for its own kind
            }
            case ALL -> {
                keys.invalidate(null);
                keys.forgetSession(null);
                scheduler.invalidateAccounts();
                scheduler.invalidateConditions();
            }
        }
    }
}
