package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.SharedState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The accounts' quota readings as this instance knows them: its own, at once, and the other instances' through the
 * shared state (read with the scheduler's view). A reading reaches the store at most every
 * {@link Scheduler#QUOTA_PUSH_INTERVAL} per account, never on a request's path: the first of an interval is written
 * at once, a later one is marked and written by the first {@link #flush()} after the interval (the scheduler flushes
 * on every request it schedules).
 */
final class QuotaBook {

    private final SharedState state;
    private final Ticker ticker;
    private final long pushIntervalNanos;
    private final Consumer<Throwable> storeTrouble;
    private final Map<String, AccountQuota> local = new ConcurrentHashMap<>();
    private final Map<String, Long> pushedAt = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** The readings of the last view loaded from the store, so a partial reading merges with what others saw. */
    private volatile Map<String, AccountQuota> shared = Map.of();

    QuotaBook(SharedState state, Ticker ticker, Duration pushInterval, Consumer<Throwable> storeTrouble) {
        this.state = requireNonNull(state, "state");
        this.ticker = requireNonNull(ticker, "ticker");
        this.pushIntervalNanos = pushInterval.toNanos();
        this.storeTrouble = requireNonNull(storeTrouble, "storeTrouble");
    }

    /** The store's readings, as the scheduler's view just read them. */
    void sharedLoaded(Map<String, AccountQuota> readings) {
        shared = readings;
    }

    /** The newest reading of {@code accountId}: this instance's or the store's as of {@code view}. */
    @Nullable
    AccountQuota quota(Map<String, AccountQuota> view, String accountId) {
        return AccountQuota.newest(local.get(accountId), view.get(accountId));
    }

    /** The account's headroom at {@code now} by its newest reading; 1 when nothing is known. */
    double headroom(Map<String, AccountQuota> view, String accountId, Instant now) {
        AccountQuota q = quota(view, accountId);
        return q == null ? 1 : q.headroom(now);
    }

    /** Headroom in whole steps, rounded: with 0.1 steps, 0.97 and 1 are the same, and 0.05 and 0.1. */
    static int steps(double headroom, double step) {
        return (int) Math.round(headroom / step);
    }

    /** How often at most an account's rate-limit headers are read (parsing them costs about as much as relaying). */
    static final long SAMPLE_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);

    private final Map<String, Long> sampledAt = new ConcurrentHashMap<>();

    /**
     * Whether the answer {@code accountId} is sending now should be read for its quota: the first one, then at most
     * one every {@link #SAMPLE_INTERVAL_NANOS}. Headroom orders accounts in coarse steps, so a reading a quarter of a
     * second old is as good as a new one.
     */
    boolean sampleDue(String accountId) {
        long now = ticker.read();
        Long last = sampledAt.get(accountId);
        if (last != null && now - last < SAMPLE_INTERVAL_NANOS) {
            return false;
        }
        sampledAt.put(accountId, now);
        return true;
    }

    /** Takes an upstream's reading: counts here at once, reaches the store within the push interval. */
    void observe(String accountId, AccountQuota reading) {
        AccountQuota merged =
                local.compute(accountId, (id, old) -> reading.over(AccountQuota.newest(old, shared.get(id))));
        long now = ticker.read();
        Long last = pushedAt.get(accountId);
        if (last == null || now - last >= pushIntervalNanos) {
            push(accountId, merged, now);
        } else {
            pending.add(accountId);
        }
    }

    /** Writes the readings held back by the push interval whose interval has passed. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        long now = ticker.read();
        for (String id : pending) {
            Long last = pushedAt.get(id);
            AccountQuota q = local.get(id);
            if (q != null && (last == null || now - last >= pushIntervalNanos) && pending.remove(id)) {
                push(id, q, now);
            }
        }
    }

    private void push(String accountId, AccountQuota q, long now) {
        pushedAt.put(accountId, now);
        pending.remove(accountId);
        state.setQuota(accountId, q).exceptionally(e -> {
            storeTrouble.accept(e);
            return null;
        });
    }
}
