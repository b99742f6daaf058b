package io.relaygate.accounts.ledger;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.RepeatedWarnings;
import io.relaygate.core.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes per-request records off the request's path: {@link #record} only queues (bounded, never blocks: an event loop
 * calls it), and a daemon thread appends what queued every {@link #DEFAULT_BATCH_INTERVAL} (the usage batches'
 * cadence) in one store call per batch (Redis: one script call for the whole batch). The records are a ledger for
 * reading back, not the usage counters: a record the store refused, or one over the queue's bound while the store is
 * away, is dropped and counted ({@link #dropped}), with an aggregated warning.
 */
public final class RequestLog implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RequestLog.class);
    private static final RepeatedWarnings warnings = new RepeatedWarnings(logger);

    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(100);
    /** Records held while the store is slow or away (about 1 KiB each). */
    public static final int DEFAULT_MAX_QUEUED = 20_000;
    /** Largest batch handed to the store at once. */
    static final int MAX_BATCH = 1000;
    /** How long one batch may take before it is given up. */
    private static final long APPEND_TIMEOUT_SECONDS = 10;

    private final RequestRecords records;
    private final ArrayBlockingQueue<RequestRecord> queue;
    private final ScheduledExecutorService executor;
    private final LongAdder dropped = new LongAdder();

    public RequestLog(RequestRecords records) {
        this(records, DEFAULT_BATCH_INTERVAL, DEFAULT_MAX_QUEUED);
    }

    public RequestLog(RequestRecords records, Duration batchInterval, int maxQueued) {
        this.records = requireNonNull(records, "records");
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: > 0)");
        }
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "relaygate-request-log");
            t.setDaemon(true);
            return t;
        });
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = e;
        long every = Math.max(1, batchInterval.toMillis());
        executor.scheduleWithFixedDelay(() -> flush(true), every, every, TimeUnit.MILLISECONDS);
    }

    /** Queues {@code record} for the next batch; never blocks. */
    public void record(RequestRecord record) {
        if (!queue.offer(requireNonNull(record, "record"))) {
            dropped.increment();
            warnings.warn("queue-full", "request records dropped: the store is not keeping up (queue full)");
        }
    }

    /** Records dropped so far (queue full, or refused by the store). */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Appends what queued, a batch at a time. {@code ride} (the regular ticks): a batch that is not a backlog's full
     * one may wait a little for a usage spend to go with ({@link RequestRecords#appendRiding}), and ends the flush:
     * what queued meanwhile is the next tick's batch, not a call of its own. A backlog's full batches go at once.
     */
    private void flush(boolean ride) {
        List<RequestRecord> batch = new ArrayList<>();
        while (queue.drainTo(batch, MAX_BATCH) > 0) {
            boolean riding = ride && batch.size() < MAX_BATCH;
            try {
                (riding ? records.appendRiding(batch) : records.append(batch))
                        .toCompletableFuture()
                        .get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dropped.add(batch.size());
                return;
            } catch (Exception e) {
                dropped.add(batch.size());
                warnings.warn(
                        "append",
                        "request records dropped (" + batch.size() + "): " + Secrets.redact(String.valueOf(e)));
            }
            if (riding) {
                return;
            }
            batch = new ArrayList<>();
        }
    }

    /** Writes what is queued, then stops; does not throw. */
    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        executor.execute(() -> flush(false));
        executor.shutdown();
        try {
            executor.awaitTermination(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
