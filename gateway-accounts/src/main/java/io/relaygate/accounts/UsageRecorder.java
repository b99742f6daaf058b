package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.UsageWrite;
import io.relaygate.accounts.state.WriteId;
import io.relaygate.core.RepeatedWarnings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage records to the shared state without ever making a request wait, and without losing them when the
 * store is briefly away.
 *
 * <ul>
 *   <li>Batching: records of the same key, account, model and hour are summed for {@link #DEFAULT_BATCH_INTERVAL} and
 *       written as one, so a busy gateway sends the store a few writes per key and account per tick, not several per
 *       request. A record marked {@link UsageRecord#immediate()} (a key with token or cost limits) is counted against
 *       its key's limits at once ({@link SharedState#spend}: cost and tokens where the next admission reads them, and
 *       the request's concurrency lease given back in the same write); the rest of it is batched like any other.
 *   <li>Outage: a write that fails is kept in memory and written again every {@code retryInterval} until the store
 *       takes it; while records wait, new ones queue behind them. Bounded: beyond {@code maxBuffered} waiting records
 *       the oldest are dropped, counted and logged. A write that timed out may have reached the store after all, so a
 *       record can be counted twice across an outage; it is never counted zero times while the process lives.
 * </ul>
 */
public final class UsageRecorder implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(UsageRecorder.class);

    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_MAX_BUFFERED = 200_000;
    private static final int BATCH = 256;
    private static final int MAX_PENDING = 10_000;

    /** What records are summed by: the same counters and buckets. */
    private record Group(
            String keyId,
            @Nullable String accountId,
            @Nullable String model,
            long epochHour,
            long tokenWindowStart,
            boolean limitsCounted,
            Set<Period> costLimits) {}

    /**
     * A record and how it is still to be written: {@link SharedState#spend} or {@link SharedState#record}. With a
     * journal: {@code seq} is its journalled write ({@code -1}: not formed yet, a batch still summing) and {@code rids}
     * the journalled records it covers.
     */
    private record Entry(UsageRecord record, boolean spend, long seq, long[] rids) {

        Entry(UsageRecord record, boolean spend) {
            this(record, spend, -1, NO_RIDS);
        }

        Entry withSeq(long value) {
            return new Entry(record, spend, value, rids);
        }
    }

    private static final long[] NO_RIDS = new long[0];

    private final SharedState state;
    private final @Nullable UsageJournal journal;
    private final RepeatedWarnings warnings = new RepeatedWarnings(logger);
    private final int maxBuffered;
    private final ScheduledExecutorService executor;
    private final Object lock = new Object();
    private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    private Map<Group, Entry> pending = new LinkedHashMap<>();
    private long dropped;
    private boolean flushing;

    public UsageRecorder(SharedState state) {
        this(state, DEFAULT_RETRY_INTERVAL, DEFAULT_MAX_BUFFERED);
    }

    public UsageRecorder(SharedState state, Duration retryInterval, int maxBuffered) {
        this(state, retryInterval, maxBuffered, DEFAULT_BATCH_INTERVAL);
    }

    public UsageRecorder(SharedState state, Duration retryInterval, int maxBuffered, Duration batchInterval) {
        this(state, retryInterval, maxBuffered, batchInterval, null);
    }

    /**
     * A recorder that journals every record in {@code journalDir} before {@link #record} returns, so a killed process
     * loses none: the next recorder on the same directory writes what was left open, once (the store skips writes it
     * applied before, by their journalled numbers).
     */
    public UsageRecorder(SharedState state, Path journalDir) {
        this(state, DEFAULT_RETRY_INTERVAL, DEFAULT_MAX_BUFFERED, DEFAULT_BATCH_INTERVAL, journalDir);
    }

    public UsageRecorder(
            SharedState state,
            Duration retryInterval,
            int maxBuffered,
            Duration batchInterval,
            @Nullable Path journalDir) {
        this.state = requireNonNull(state, "state");
        this.journal = journalDir == null ? null : UsageJournal.open(journalDir);
        UsageJournal j = journal;
        if (j != null) {
            UsageJournal.Replay replay = j.replayed();
            synchronized (lock) {
                replay.writes().forEach(w -> waiting.addLast(new Entry(w.record(), w.spend(), w.seq(), NO_RIDS)));
                for (UsageJournal.Raw r : replay.records()) {
                    Entry e = new Entry(r.record(), false, -1, new long[] {r.rid()});
                    pending.merge(group(e), e, UsageRecorder::sum);
                }
            }
            if (!replay.writes().isEmpty() || !replay.records().isEmpty()) {
                logger.info(
                        "usage journal {}: writing {} writes and {} records left by the previous run",
                        journalDir,
                        replay.writes().size(),
                        replay.records().size());
            }
        }
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
        long retry = retryInterval.toMillis();
        long batch = Math.max(1, batchInterval.toMillis());
        executor.scheduleWithFixedDelay(() -> flushPending(true), batch, batch, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::flushWaiting, retry, retry, TimeUnit.MILLISECONDS);
    }

    /**
     * Records {@code record}; returns at once. An {@link UsageRecord#immediate()} record is counted against its key's
     * limits now; its counters, like every other record's, go with the next batch.
     */
    public void record(UsageRecord record) {
        requireNonNull(record, "record");
        Entry now = null;
        synchronized (lock) {
            UsageRecord rest = record.immediate() ? record.counted() : record;
            UsageJournal j = journal;
            // with a journal, the record's line and its spend's in one write(2)
            long[] ids = j == null ? null : journalRecord(j, rest, record.immediate() ? record.withoutLease() : null);
            Entry later = ids == null ? new Entry(rest, false) : new Entry(rest, false, -1, new long[] {ids[0]});
            pending.merge(group(later), later, UsageRecorder::sum);
            if (pending.size() >= MAX_PENDING) {
                executor.execute(() -> flushPending(true));
            }
            if (record.immediate()) {
                now = new Entry(record, true);
                if (ids != null) {
                    now = now.withSeq(ids[1]);
                }
                if (!waiting.isEmpty() || flushing) {
                    // the spend waits behind the backlog, the lease must not: the key's next request needs the slot
                    enqueueLocked(new Entry(record.withoutLease(), true, now.seq(), NO_RIDS));
                    releaseLease(record);
                    return;
                }
            }
        }
        if (now != null) {
            write(now);
        }
    }

    /**
     * Journals a record, and its spend when given: the record's id and the spend's sequence number ({@code -1}: no
     * spend). A disk that refuses fails the call, as a record that cannot be journalled must not be reported.
     */
    private static long[] journalRecord(UsageJournal j, UsageRecord r, @Nullable UsageRecord spend) {
        return spend == null ? new long[] {j.appendRecord(r), -1} : j.appendRecordAndSpend(r, spend);
    }

    /** Journals a write; -1 when the disk refused (the write then goes without an id, as without a journal). */
    private long journalWrite(UsageJournal j, boolean spend, UsageRecord r, long[] rids) {
        try {
            return j.appendWrite(spend, r, rids);
        } catch (java.io.UncheckedIOException e) {
            warnings.warn("journal", "usage journal write failed, keeping usage in memory only: " + describe(e));
            return -1;
        }
    }

    /**
     * Gives the record's lease back on its own path, never behind batched usage: after an outage the usage backlog
     * can take a while, and leases queued behind it refused the keys' next requests ("1000 of 1000 in flight").
     */
    private void releaseLease(UsageRecord r) {
        String lease = r.leaseId();
        if (lease == null) {
            return;
        }
        try {
            state.release(r.keyId(), lease).exceptionally(e -> {
                // the lease expires by itself after the lease TTL
                warnings.warn("release", "giving a lease back failed, it expires by itself: " + describe(e));
                return null;
            });
        } catch (RuntimeException e) {
            warnings.warn("release", "giving a lease back failed, it expires by itself: " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        return io.relaygate.core.Secrets.redact(String.valueOf(e));
    }

    private static Group group(Entry e) {
        UsageRecord r = e.record();
        Duration w = r.tokenWindow();
        return new Group(
                r.keyId(),
                r.accountId(),
                r.model(),
                Math.floorDiv(r.at().getEpochSecond(), 3600),
                w == null ? -1 : AdmissionRequest.windowStart(r.at(), w),
                r.limitsCounted(),
                r.costLimits());
    }

    private static Entry sum(Entry x, Entry y) {
        UsageRecord a = x.record();
        UsageRecord b = y.record();
        long[] rids = x.rids().length + y.rids().length == 0 ? NO_RIDS : concat(x.rids(), y.rids());
        return new Entry(
                new UsageRecord(
                        a.keyId(),
                        a.accountId(),
                        a.model(),
                        a.counters().plus(b.counters()),
                        b.at().isAfter(a.at()) ? b.at() : a.at(),
                        b.tokenWindow() != null ? b.tokenWindow() : a.tokenWindow(),
                        false,
                        null,
                        a.limitsCounted(),
                        a.costLimits()),
                false,
                -1,
                rids);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Writes the summed records of the last tick; the result completes when every write has ended. {@code ride}: the
     * batch may wait a little for the next spend and go in its call ({@link SharedState#recordAllRiding}); the limits
     * never wait for it, usage at most that bound.
     */
    private CompletableFuture<Void> flushPending(boolean ride) {
        Map<Group, Entry> batch;
        boolean queue;
        synchronized (lock) {
            if (pending.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            batch = pending;
            pending = new LinkedHashMap<>();
            UsageJournal j = journal;
            if (j != null) {
                // each summed record becomes one journalled write, idempotent in the store under its number
                batch.replaceAll((g, e) -> e.withSeq(journalWrite(j, false, e.record(), e.rids())));
            }
            queue = !waiting.isEmpty() || flushing;
            if (queue) {
                batch.values().forEach(this::enqueueLocked);
            }
        }
        if (queue) {
            return CompletableFuture.completedFuture(null);
        }
        List<Entry> entries = new ArrayList<>(batch.values());
        List<CompletableFuture<Void>> submitted = submitAll(entries, ride);
        List<CompletableFuture<Void>> writes = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            writes.add(written(entries.get(i), submitted.get(i)));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> write(Entry record) {
        return written(record, submitAll(List.of(record), false).get(0));
    }

    /** Acknowledges {@code record} once {@code f} succeeded, or queues it again (its lease given back). */
    private CompletableFuture<Void> written(Entry record, CompletableFuture<Void> f) {
        return f.handle((ok, e) -> {
            if (e == null) {
                acknowledged(record);
            } else {
                if (record.spend()) {
                    releaseLease(record.record());
                }
                synchronized (lock) {
                    enqueueLocked(record.spend() ? new Entry(record.record().withoutLease(), true) : record);
                }
                warnings.warn(
                        "usage", "usage store unavailable, keeping usage in memory until it is back: " + describe(e));
            }
            return null;
        });
    }

    /**
     * Submits the entries: each spend on its own, the records as one batch ({@link SharedState#recordAll}, so the
     * store's per-batch work is done once for them, and with {@code ride} may wait a little for the next spend); one
     * future per entry, in order, failed ones included.
     */
    private List<CompletableFuture<Void>> submitAll(List<Entry> entries, boolean ride) {
        List<CompletableFuture<Void>> out = new ArrayList<>(entries.size());
        List<UsageWrite> records = new ArrayList<>(entries.size());
        List<Integer> at = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            WriteId id = null;
            UsageJournal j = journal;
            if (j != null && e.seq() >= 0) {
                synchronized (lock) {
                    id = j.id(e.seq());
                }
            }
            if (e.spend()) {
                out.add(submitSpend(e, id));
            } else {
                at.add(out.size());
                out.add(CompletableFuture.completedFuture(null));
                records.add(new UsageWrite(e.record(), id));
            }
        }
        if (!records.isEmpty()) {
            List<CompletionStage<Void>> done;
            try {
                done = ride ? state.recordAllRiding(records) : state.recordAll(records);
            } catch (RuntimeException x) {
                done = Collections.nCopies(records.size(), CompletableFuture.failedFuture(x));
            }
            for (int i = 0; i < at.size(); i++) {
                out.set(at.get(i), done.get(i).toCompletableFuture());
            }
        }
        return out;
    }

    private CompletableFuture<Void> submitSpend(Entry e, @Nullable WriteId id) {
        try {
            return (id == null ? state.spend(e.record()) : state.spend(e.record(), id)).toCompletableFuture();
        } catch (RuntimeException x) {
            return CompletableFuture.failedFuture(x);
        }
    }

    /** The store has {@code e}: the journal forgets it. */
    private void acknowledged(Entry e) {
        UsageJournal j = journal;
        if (j != null && e.seq() >= 0) {
            synchronized (lock) {
                try {
                    j.done(e.seq());
                } catch (java.io.UncheckedIOException x) {
                    // the write is in the store; a replay would skip it by its id
                    warnings.warn("journal", "usage journal write failed: " + describe(x));
                }
            }
        }
    }

    private void enqueueLocked(Entry record) {
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
        List<Entry> batch;
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
                List<CompletableFuture<Void>> writes = submitAll(batch, false);
                List<Entry> failed = new ArrayList<>();
                for (int i = 0; i < writes.size(); i++) {
                    try {
                        writes.get(i).get(10, TimeUnit.SECONDS);
                        acknowledged(batch.get(i));
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
            warnings.warn("usage-retry", "writing buffered usage failed: " + describe(e));
        } finally {
            synchronized (lock) {
                flushing = false;
                if (written > 0 && waiting.isEmpty()) {
                    logger.info("usage store is back: {} buffered records written", written);
                }
            }
        }
    }

    /** Records waiting for the store after a failed write (not counting the current batch). */
    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** Stops at once without writing anything, as a killed process would (tests of the journal's replay). */
    void abandon() {
        executor.shutdownNow();
        UsageJournal j = journal;
        if (j != null) {
            synchronized (lock) {
                j.abandon();
            }
        }
    }

    /** Writes the current batch and tries once more to write what waits (bounded by a few seconds), then stops. */
    @Override
    public void close() {
        try {
            executor.submit(() -> flushPending(false).get(5, TimeUnit.SECONDS)).get(6, TimeUnit.SECONDS);
            executor.submit(this::flushWaiting).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            logger.warn("usage not written at shutdown: {} records", waiting());
        }
        executor.shutdownNow();
        UsageJournal j = journal;
        if (j != null) {
            synchronized (lock) {
                j.close();
            }
        }
        int left = waiting();
        if (left > 0) {
            logger.error("{} usage records could not be written before shutdown", left);
        }
    }
}
