package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Group commit on a Redis of one server (standalone or Sentinel-watched; never on a Cluster, where the parts' slots
 * differ): writes nothing waits for ride in a call that is made anyway, as one group.lua (issue 21: fewer top-level
 * commands and fewer round trips a request).
 *
 * <ul>
 *   <li>A spend made on an event loop the store runs on ({@code Store.runOn}) waits there for that loop's next
 *       admission and goes in its call, before it (a lease it gives back is free for that admission); one no admission
 *       picks up within the spend bound ({@link #DEFAULT_SPEND_BOUND}) goes on its own then, from the loop's own timer.
 *       The spend is counted against its key's limits that much later at most; nothing waits for it (the usage
 *       recorder's spend is never on a request's path). A spend made on any other thread goes at once.
 *   <li>A usage batch ({@link RedisSharedState#recordAllRiding}) and a batch of request records ({@link #records})
 *       that are due wait, parked, for the next call of any loop or thread (a spend or an admission), and go alone
 *       with each other after {@link #DEFAULT_BOUND} (the batches' interval again).
 *   <li>An admission the loop decided itself ({@link RedisLoopStandings}: the key far from its limits) waits there like
 *       a spend, in order with the loop's spends, so a lease is taken before the spend that gives it back.
 * </ul>
 *
 * <p>Each part keeps its own guarantees: its own keys, its own applied set (a retried or replayed part is applied once
 * by its {@link WriteId}) and its own answer. group.lua runs the parts one by one in a pcall each, so a part that fails
 * inside Redis fails only its own stage; a call that fails as a whole (Redis away, a timeout) fails every part of it,
 * and each part's caller handles that as it handles the failure of the part's own call today.
 */
public final class RedisGroupCommit {

    /** How long a parked batch waits for a call to ride in before it goes alone: the usage and records batches' interval. */
    public static final Duration DEFAULT_BOUND = Duration.ofMillis(100);

    /** How long a spend made on an event loop waits there for the loop's next admission before it goes alone. */
    public static final Duration DEFAULT_SPEND_BOUND = Duration.ofMillis(5);

    /** Spends one call carries at most: a busy loop's admission stays a bounded script. */
    static final int MAX_RIDING_SPENDS = 64;

    /** Keys of the records' script: the stream, its marks and its count, under the prefix. */
    private static final int RECORDS_KEYS = 3;

    /** Part kinds, as group.lua numbers them. */
    private static final int SPEND = 1;

    private static final int ADMIT = 2;
    private static final int BATCH = 3;
    private static final int RECORDS = 4;

    private final RedisScript group;
    private final RedisScript spendAlone;
    private final RedisScript admitAlone;
    private final Executor later;
    private final long spendBoundNanos;
    private final Supplier<@Nullable EventExecutor> currentLoop;
    /** How long a loop's view of a key lets it admit the key's requests itself; 0: never (Redis decides each). */
    private final long freshMillis;
    /** Per loop, the spends waiting for its next admission; each touched only on its own loop. */
    private final ConcurrentHashMap<EventExecutor, Riders> riders = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private @Nullable Part usage;
    private @Nullable Part records;

    /** A part's kind, keys and arguments, and its caller's stage (a Long, or admit.lua's array). */
    private record Part(int kind, List<String> keys, List<String> args, CompletableFuture<Object> done) {

        Part(int kind, String[] keys, String[] args) {
            this(kind, Arrays.asList(keys), Arrays.asList(args), new CompletableFuture<>());
        }
    }

    /**
     * @param functions applied.lua and usage.lua, which the spend and the batch call
     * @param spendSource spend.lua, the part's source, also sent alone ({@code spendAlone}) when nothing rides with it
     * @param admitAlone admit.lua, sent alone when nothing rides with the admission
     * @param currentLoop the event loop the calling thread runs, when spends made on it may wait there for its next
     *     admission; {@code null} for any other thread (and for every thread before the store runs on loops)
     * @param fresh how long a loop's view of a key's standing lets the loop admit the key's requests itself ({@link
     *     RedisLoopStandings}); zero: Redis decides every admission
     */
    RedisGroupCommit(
            RedisClusterAsyncCommands<String, String> redis,
            String functions,
            String spendSource,
            RedisScript spendAlone,
            RedisScript admitAlone,
            String batchSource,
            Duration bound,
            Duration spendBound,
            Supplier<@Nullable EventExecutor> currentLoop,
            Duration fresh) {
        requireNonNull(redis, "redis");
        if (fresh.isNegative()) {
            throw new IllegalArgumentException("fresh: " + fresh + " (expected: >= 0)");
        }
        this.freshMillis = fresh.toMillis();
        positive("bound", bound);
        positive("spendBound", spendBound);
        this.spendAlone = requireNonNull(spendAlone, "spendAlone");
        this.admitAlone = requireNonNull(admitAlone, "admitAlone");
        this.currentLoop = requireNonNull(currentLoop, "currentLoop");
        this.spendBoundNanos = spendBound.toNanos();
        this.group = new RedisScript(
                redis,
                functions
                        + function("spend", spendSource)
                        + function("admit", RedisSharedState.resource("admit.lua"))
                        + function("batch", batchSource)
                        + function("records", recordsSource())
                        + RedisSharedState.resource("group.lua"));
        // the JDK's one delay thread, which only hands the flush to Lettuce: no thread of ours to stop
        this.later = CompletableFuture.delayedExecutor(bound.toMillis(), TimeUnit.MILLISECONDS, Runnable::run);
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /** {@code source}, a script of its own, as a local function of its own KEYS and ARGV. */
    private static String function(String name, String source) {
        return "local function " + name + "(KEYS, ARGV)\n" + source + "\nend\n";
    }

    /** records.lua: the request records' append (RedisRequestRecords sends it alone on a Cluster). */
    public static String recordsSource() {
        return RedisSharedState.resource("records.lua");
    }

    /**
     * A spend: on a store loop, parked there for its next admission; elsewhere at once, with the batches parked (or
     * spend.lua alone when none is).
     */
    CompletionStage<Long> spend(String[] keys, String[] args) {
        EventExecutor loop = currentLoop.get();
        if (loop != null) {
            Part spend = new Part(SPEND, keys, args);
            riders.computeIfAbsent(loop, Riders::new).park(spend);
            return answer(spend);
        }
        List<Part> parts = new ArrayList<>(3);
        synchronized (lock) {
            takeParked(parts);
        }
        if (parts.isEmpty()) {
            return spendAlone.run(ScriptOutputType.INTEGER, keys, args);
        }
        Part spend = new Part(SPEND, keys, args);
        parts.add(0, spend);
        send(parts);
        return answer(spend);
    }

    /**
     * An admission (admit.lua's keys and arguments), with the spends parked on this loop before it and the batches
     * parked; admit.lua alone when nothing is.
     */
    CompletionStage<List<Object>> admit(String[] keys, String[] args) {
        EventExecutor loop = currentLoop.get();
        Riders waiting = loop == null ? null : riders.get(loop);
        List<Part> parts = waiting == null || waiting.parked.isEmpty() ? new ArrayList<>(3) : waiting.take();
        synchronized (lock) {
            takeParked(parts);
        }
        if (parts.isEmpty()) {
            return admitAlone.run(ScriptOutputType.MULTI, keys, args);
        }
        // last: a lease a spend before it gives back is free for it (the reply waits for the whole call anyway)
        Part admission = new Part(ADMIT, keys, args);
        parts.add(admission);
        send(parts);
        return answer(admission);
    }

    /**
     * The calling loop's view of its keys' standing, or null off the store's loops and when loops never admit by
     * themselves.
     */
    @Nullable
    RedisLoopStandings standings() {
        EventExecutor loop = freshMillis == 0 ? null : currentLoop.get();
        return loop == null ? null : riders.computeIfAbsent(loop, Riders::new).standings;
    }

    /**
     * An admission the calling loop already let in ({@link RedisLoopStandings#admitHere}): parked there with its
     * spends, in order, for the loop's next call; completes with admit.lua's answer.
     */
    CompletionStage<List<Object>> admitParked(RedisLoopStandings on, String[] keys, String[] args) {
        Part admission = new Part(ADMIT, keys, args);
        riders.computeIfAbsent(on.loop(), Riders::new).park(admission);
        return answer(admission);
    }

    /**
     * Requests the loops admitted themselves since they started, and of those the ones Redis refused when their
     * admission reached it: {@code {admitted, refused}}. Read off the loops, a count may lag a moment behind.
     */
    long[] admittedHere() {
        long[] out = new long[2];
        for (Riders r : riders.values()) {
            if (r.standings != null) {
                out[0] += r.standings.admittedHere();
                out[1] += r.standings.refusedLate();
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletionStage<T> answer(Part p) {
        return (CompletionStage<T>) (CompletionStage<?>) p.done();
    }

    /** Parks a usage batch (batch.lua's keys and arguments) for the next call; completes when it was written. */
    CompletionStage<Long> batch(List<String> keys, List<String> args) {
        return park(new Part(BATCH, keys, args, new CompletableFuture<>()));
    }

    /**
     * Parks a batch of request records (records.lua's keys and arguments: the stream's three keys, the bound, the
     * records' JSON) for the next call; completes with the number added once written.
     */
    public CompletionStage<Long> records(String[] keys, String[] args) {
        if (keys.length != RECORDS_KEYS) {
            throw new IllegalArgumentException("keys: " + keys.length + " (expected: " + RECORDS_KEYS + ")");
        }
        return park(new Part(RECORDS, keys, args));
    }

    private CompletionStage<Long> park(Part part) {
        Part before;
        synchronized (lock) {
            if (part.kind() == BATCH) {
                before = usage;
                usage = part;
            } else {
                before = records;
                records = part;
            }
        }
        if (before != null) {
            // one part of a kind rides at a time: the one it replaces goes now, on its own
            send(List.of(before));
        }
        later.execute(() -> flush(part));
        return answer(part);
    }

    /** Sends {@code part} alone if no call took it, with the other kind's part if that is parked too. */
    private void flush(Part part) {
        List<Part> taken = new ArrayList<>(2);
        synchronized (lock) {
            if (usage != part && records != part) {
                return;
            }
            takeParked(taken);
        }
        send(taken);
    }

    /** Sends what is parked now, whatever its age (the store closing): batches, and spends whose loop has stopped. */
    void flush() {
        for (Riders r : riders.values()) {
            if (r.loop.isTerminated()) {
                // its thread is gone: nothing else touches its spends
                sendWithParked(r.take());
            }
        }
        List<Part> taken = new ArrayList<>(2);
        synchronized (lock) {
            takeParked(taken);
        }
        if (!taken.isEmpty()) {
            send(taken);
        }
    }

    /**
     * Sends the spends parked on every loop now, each from its own loop, and waits (at most {@code timeout}) until they
     * were answered: before the store stops running on the loops, which drop their timers when they stop.
     */
    void flushLoops(Duration timeout) {
        List<CompletableFuture<Object>> sent = new ArrayList<>();
        for (Riders r : riders.values()) {
            CompletableFuture<List<Part>> taken = new CompletableFuture<>();
            try {
                r.loop.execute(() -> {
                    List<Part> parts = r.take();
                    sendWithParked(new ArrayList<>(parts));
                    taken.complete(parts);
                });
            } catch (RejectedExecutionException e) {
                continue; // stopping already: flush() sends them once it stopped
            }
            try {
                taken.get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach(p -> sent.add(p.done()));
            } catch (Exception e) {
                // a loop too busy to answer in time: its timer sends them, as long as it runs
            }
        }
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // failed or late spends are their callers' (the usage recorder keeps and retries them)
        }
    }

    /** Adds what is parked, usage and records, to {@code parts}, leaving nothing parked; called holding the lock. */
    private void takeParked(List<Part> parts) {
        if (usage != null) {
            parts.add(usage);
            usage = null;
        }
        if (records != null) {
            parts.add(records);
            records = null;
        }
    }

    /** Sends {@code parts} with the batches parked, if any. */
    private void sendWithParked(List<Part> parts) {
        synchronized (lock) {
            takeParked(parts);
        }
        if (!parts.isEmpty()) {
            send(parts);
        }
    }

    /** One call of the parts given (its script alone for one spend or one admission); each part's stage completes. */
    private void send(List<Part> parts) {
        if (parts.size() == 1 && (parts.get(0).kind() == SPEND || parts.get(0).kind() == ADMIT)) {
            Part p = parts.get(0);
            RedisScript alone = p.kind() == SPEND ? spendAlone : admitAlone;
            ScriptOutputType type = p.kind() == SPEND ? ScriptOutputType.INTEGER : ScriptOutputType.MULTI;
            call(alone, type, p.keys(), p.args()).whenComplete((answer, e) -> {
                if (e != null) {
                    p.done().completeExceptionally(e);
                } else {
                    p.done().complete(answer);
                }
            });
            return;
        }
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(parts.size()));
        for (Part p : parts) {
            args.add(Integer.toString(p.kind()));
            args.add(Integer.toString(p.keys().size()));
            args.add(Integer.toString(p.args().size()));
        }
        for (Part p : parts) {
            keys.addAll(p.keys());
            args.addAll(p.args());
        }
        this.<List<Object>>call(group, ScriptOutputType.MULTI, keys, args).whenComplete((answers, e) -> {
            for (int i = 0; i < parts.size(); i++) {
                Part p = parts.get(i);
                Object answer = e != null || i >= answers.size() ? null : answers.get(i);
                if (e != null) {
                    p.done().completeExceptionally(e);
                } else if (p.kind() == ADMIT ? answer instanceof List : answer instanceof Number) {
                    p.done().complete(answer);
                } else {
                    String text = answer == null ? "ERR no answer" : String.valueOf(answer);
                    p.done().completeExceptionally(new RedisCommandExecutionException(text));
                }
            }
        });
    }

    private <T> CompletionStage<T> call(
            RedisScript script, ScriptOutputType type, List<String> keys, List<String> args) {
        try {
            return script.run(type, keys.toArray(String[]::new), args.toArray(String[]::new));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The spends (and the admissions the loop decided itself) parked on one loop for its next admission, that loop's
     * timer for them, and its view of its keys' standing.
     */
    private final class Riders implements Runnable {
        private final EventExecutor loop;
        private final @Nullable RedisLoopStandings standings;
        private List<Part> parked = new ArrayList<>();
        /** {@link System#nanoTime()} when the first of {@link #parked} was parked. */
        private long oldest;

        private boolean timed;

        Riders(EventExecutor loop) {
            this.loop = loop;
            this.standings = freshMillis == 0 ? null : new RedisLoopStandings(loop, freshMillis);
        }

        void park(Part part) {
            if (parked.isEmpty()) {
                oldest = System.nanoTime();
            }
            parked.add(part);
            if (parked.size() >= MAX_RIDING_SPENDS) {
                sendWithParked(take());
            } else if (!timed) {
                schedule(spendBoundNanos);
            }
        }

        private void schedule(long nanos) {
            try {
                loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
                timed = true;
            } catch (RejectedExecutionException e) {
                // the loop is stopping: no timer would run, so what waits goes now
                sendWithParked(take());
            }
        }

        /** What is parked, leaving none (an admission's parts: it adds itself after them). */
        List<Part> take() {
            List<Part> out = parked;
            parked = new ArrayList<>();
            return out;
        }

        /**
         * The timer: sends the spends once the oldest has waited the bound; one timer a loop at a time, so a busy loop
         * whose admissions take its spends wakes for it at most once a bound.
         */
        @Override
        public void run() {
            timed = false;
            if (parked.isEmpty()) {
                return;
            }
            long wait = oldest + spendBoundNanos - System.nanoTime();
            if (wait > 0) {
                schedule(wait);
            } else {
                sendWithParked(take());
            }
        }
    }
}
