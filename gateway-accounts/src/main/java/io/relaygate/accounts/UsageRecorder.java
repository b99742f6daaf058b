package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.state.UsageRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage records to the shared state without ever making a request wait, and without losing them when the
 * store is briefly away: a record whose write fails is kept in memory and written again every
 * {@code retryInterval} until the store takes it. While records are waiting, new ones queue behind them.
 *
 * <p>Bounded: beyond {@code maxBuffered} waiting records the oldest are dropped, counted and logged (a store that is
 * gone for hours is an outage to fix, not to buffer in the heap). A write that timed out may have reached the store
 * after all, so a record can be counted twice across an outage; it is never counted zero times while the process
 * lives.
 */
public final class UsageRecorder implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(UsageRecorder.class);

    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_BUFFERED = 200_000;
    private static final int BATCH = 256;

    private final SharedState state;
    private final int maxBuffered;
    private final ScheduledExecutorService executor;
    private final Object lock = new Object();
    private final ArrayDeque<UsageRecord> waiting = new ArrayDeque<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private long dropped;
    private boolean flushing;

    public UsageRecorder(SharedState state) {
        this(state, DEFAULT_RETRY_INTERVAL, DEFAULT_MAX_BUFFERED);
    }

    public UsageRecorder(SharedState state, Duration retryInterval, int maxBuffered) {
        this.state = requireNonNull(state, "state");
        if (maxBuffered < 1) {
            throw new IllegalArgumentException("maxBuffered: " + maxBuffered + " (expected: > 0)");
        }
        this.maxBuffered = maxBuffered;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "relaygate-usage");
            t.setDaemon(true);
            return t;
        });
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = ex;
        long ms = retryInterval.toMillis();
        executor.scheduleWithFixedDelay(this::flushWaiting, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Records {@code record}; returns at once. */
    public void record(UsageRecord record) {
        requireNonNull(record, "record");
        synchronized (lock) {
            if (!waiting.isEmpty() || flushing) {
                enqueueLocked(record);
                return;
            }
        }
        write(record);
    }

    private void write(UsageRecord record) {
        inFlight.incrementAndGet();
        CompletableFuture<Void> f;
        try {
            f = state.record(record).toCompletableFuture();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ok, e) -> {
            if (e != null) {
                synchronized (lock) {
                    boolean first = waiting.isEmpty();
                    enqueueLocked(record);
                    if (first) {
                        logger.warn(
                                "usage store unavailable, keeping usage in memory until it is back: {}",
                                io.relaygate.core.Secrets.redact(String.valueOf(e)));
                    }
                }
            }
            inFlight.decrementAndGet();
        });
    }

    private void enqueueLocked(UsageRecord record) {
        if (waiting.size() >= maxBuffered) {
            waiting.pollFirst();
            if (dropped++ % 10_000 == 0) {
                logger.error("usage buffer full ({} records): dropped {} oldest so far", maxBuffered, dropped);
            }
        }
        waiting.addLast(record);
    }

    /** Writes the waiting records again, a batch at a time, while the store takes them. */
    private void flushWaiting() {
        List<UsageRecord> batch;
        synchronized (lock) {
            if (waiting.isEmpty() || flushing) {
                return;
            }
            flushing = true;
        }
        int written = 0;
        try {
            while (true) {
                batch = new ArrayList<>(BATCH);
                synchronized (lock) {
                    while (batch.size() < BATCH && !waiting.isEmpty()) {
                        batch.add(waiting.pollFirst());
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
                List<CompletableFuture<Void>> writes = new ArrayList<>(batch.size());
                for (UsageRecord r : batch) {
                    writes.add(state.record(r).toCompletableFuture());
                }
                List<UsageRecord> failed = new ArrayList<>();
                for (int i = 0; i < writes.size(); i++) {
                    try {
                        writes.get(i).get(10, TimeUnit.SECONDS);
                        written++;
                    } catch (Exception e) {
                        failed.add(batch.get(i));
                    }
                }
                if (!failed.isEmpty()) {
                    synchronized (lock) {
                        for (int i = failed.size() - 1; i >= 0; i--) {
                            waiting.addFirst(failed.get(i));
                        }
                    }
                    break;
                }
            }
        } catch (RuntimeException e) {
            logger.warn("writing buffered usage failed: {}", e.toString());
        } finally {
            synchronized (lock) {
                flushing = false;
                if (written > 0 && waiting.isEmpty()) {
                    logger.info("usage store is back: {} buffered records written", written);
                }
            }
        }
    }

    /** Records waiting for the store (not counting writes in flight). */
    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** Records dropped because the buffer was full. */
    public long dropped() {
        synchronized (lock) {
            return dropped;
        }
    }

    /** Tries once more to write what waits (bounded by a few seconds), then stops. */
    @Override
    public void close() {
        try {
            executor.submit(this::flushWaiting).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            logger.warn("usage not written at shutdown: {} records", waiting());
        }
        executor.shutdownNow();
        int left = waiting();
        if (left > 0) {
            logger.error("{} usage records could not be written before shutdown", left);
        }
    }
}
