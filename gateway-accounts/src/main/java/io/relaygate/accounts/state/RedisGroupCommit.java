package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Group commit on a Redis of one server (standalone or Sentinel-watched; never on a Cluster, where the parts' slots
 * differ): a usage batch ({@link RedisSharedState#recordAllRiding}) and a batch of request records ({@link #records})
 * that are due wait, parked, for the next spend of any key, and go in the spend's call as one group.lua (issue 21:
 * at most two top-level commands a request, the admission and the spend, at c=1). Nothing waits on them: the spend is
 * sent at once, with whatever is parked; a part that no spend picks up within {@link #DEFAULT_BOUND} (the batches'
 * interval again) goes on its own then, with the other part if it is parked too, so usage is held back at most that
 * long and nothing waits for ever.
 *
 * <p>Each part keeps its own guarantees: its own keys, its own applied set (a retried or replayed part is applied once
 * by its {@link WriteId}) and its own answer. group.lua runs the parts one by one in a pcall each, so a part that fails
 * inside Redis fails only its own stage; a call that fails as a whole (Redis away, a timeout) fails every part of it,
 * and each part's caller handles that as it handles the failure of the part's own call today.
 */
public final class RedisGroupCommit {

    /** How long a parked part waits for a spend before it goes alone: the usage and records batches' interval. */
    public static final Duration DEFAULT_BOUND = Duration.ofMillis(100);

    /** Keys of the records' script: the stream, its marks and its count, under the prefix. */
    private static final int RECORDS_KEYS = 3;

    private final RedisScript group;
    private final RedisScript spendAlone;
    private final Executor later;
    private final Object lock = new Object();
    private @Nullable Parked usage;
    private @Nullable Parked records;

    /** A part's keys and arguments, waiting for a spend, and its caller's stage. */
    private record Parked(List<String> keys, List<String> args, CompletableFuture<Long> done) {}

    /**
     * @param functions applied.lua and usage.lua, which the spend and the batch call
     * @param spendSource spend.lua, the part's source, also sent alone ({@code spendAlone}) when nothing is parked
     */
    RedisGroupCommit(
            RedisClusterAsyncCommands<String, String> redis,
            String functions,
            String spendSource,
            RedisScript spendAlone,
            String batchSource,
            Duration bound) {
        requireNonNull(redis, "redis");
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("bound: " + bound + " (expected: > 0)");
        }
        this.spendAlone = requireNonNull(spendAlone, "spendAlone");
        this.group = new RedisScript(
                redis,
                functions
                        + function("spend", spendSource)
                        + function("batch", batchSource)
                        + function("records", recordsSource())
                        + RedisSharedState.resource("group.lua"));
        // the JDK's one delay thread, which only hands the flush to Lettuce: no thread of ours to stop
        this.later = CompletableFuture.delayedExecutor(bound.toMillis(), TimeUnit.MILLISECONDS, Runnable::run);
    }

    /** {@code source}, a script of its own, as a local function of its own KEYS and ARGV. */
    private static String function(String name, String source) {
        return "local function " + name + "(KEYS, ARGV)\n" + source + "\nend\n";
    }

    /** records.lua: the request records' append (RedisRequestRecords sends it alone on a Cluster). */
    public static String recordsSource() {
        return RedisSharedState.resource("records.lua");
    }

    /** The spend now, with whatever is parked; spend.lua alone when nothing is. */
    CompletionStage<Long> spend(String[] keys, String[] args) {
        @Nullable Parked[] taken;
        synchronized (lock) {
            taken = takeParked();
        }
        if (taken[0] == null && taken[1] == null) {
            return spendAlone.run(ScriptOutputType.INTEGER, keys, args);
        }
        CompletableFuture<Long> spent = new CompletableFuture<>();
        send(new Parked(Arrays.asList(keys), Arrays.asList(args), spent), taken[0], taken[1]);
        return spent;
    }

    /** What is parked, usage and records (either may be null), leaving nothing parked; called holding the lock. */
    private @Nullable Parked[] takeParked() {
        @Nullable Parked[] taken = {usage, records};
        usage = null;
        records = null;
        return taken;
    }

    /** Parks a usage batch (batch.lua's keys and arguments) for the next spend; completes when it was written. */
    CompletionStage<Long> batch(List<String> keys, List<String> args) {
        return park(true, keys, args);
    }

    /**
     * Parks a batch of request records (records.lua's keys and arguments: the stream's three keys, the bound, the
     * records' JSON) for the next spend; completes with the number added once written.
     */
    public CompletionStage<Long> records(String[] keys, String[] args) {
        if (keys.length != RECORDS_KEYS) {
            throw new IllegalArgumentException("keys: " + keys.length + " (expected: " + RECORDS_KEYS + ")");
        }
        return park(false, Arrays.asList(keys), Arrays.asList(args));
    }

    private CompletionStage<Long> park(boolean isUsage, List<String> keys, List<String> args) {
        Parked part = new Parked(keys, args, new CompletableFuture<>());
        Parked before;
        synchronized (lock) {
            before = isUsage ? usage : records;
            if (isUsage) {
                usage = part;
            } else {
                records = part;
            }
        }
        if (before != null) {
            // one part of a kind rides at a time: the one it replaces goes now, on its own
            send(null, isUsage ? before : null, isUsage ? null : before);
        }
        later.execute(() -> flush(part));
        return part.done();
    }

    /** Sends {@code part} alone if no spend took it, with the other kind's part if that is parked too. */
    private void flush(Parked part) {
        @Nullable Parked[] taken;
        synchronized (lock) {
            if (usage != part && records != part) {
                return;
            }
            taken = takeParked();
        }
        send(null, taken[0], taken[1]);
    }

    /** Sends what is parked now, whatever its age (the store closing). */
    void flush() {
        @Nullable Parked[] taken;
        synchronized (lock) {
            taken = takeParked();
        }
        if (taken[0] != null || taken[1] != null) {
            send(null, taken[0], taken[1]);
        }
    }

    /** One group.lua of the parts given; each part's stage completes with its own answer or failure. */
    private void send(@Nullable Parked spend, @Nullable Parked batch, @Nullable Parked recs) {
        Parked[] parts = {spend, batch, recs};
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (Parked p : parts) {
            args.add(p == null ? "0" : Integer.toString(p.keys().size()));
            args.add(p == null ? "0" : Integer.toString(p.args().size()));
        }
        for (Parked p : parts) {
            if (p != null) {
                keys.addAll(p.keys());
                args.addAll(p.args());
            }
        }
        CompletionStage<List<Object>> call;
        try {
            call = group.run(ScriptOutputType.MULTI, keys.toArray(String[]::new), args.toArray(String[]::new));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((answers, e) -> {
            for (int i = 0; i < parts.length; i++) {
                Parked p = parts[i];
                if (p == null) {
                    continue;
                }
                if (e != null) {
                    p.done().completeExceptionally(e);
                } else if (i < answers.size() && answers.get(i) instanceof Number n) {
                    p.done().complete(n.longValue());
                } else {
                    Object answer = i < answers.size() ? answers.get(i) : "ERR no answer";
                    p.done().completeExceptionally(new RedisCommandExecutionException(String.valueOf(answer)));
                }
            }
        });
    }
}
