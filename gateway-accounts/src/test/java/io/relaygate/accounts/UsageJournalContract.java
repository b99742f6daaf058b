package io.relaygate.accounts;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.state.WriteId;
import io.relaygate.core.Usage;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorder that dies (abandoned without {@code close()}, its store calls cut off as by SIGKILL) after N completed
 * records, then a new recorder on the same journal directory and store: the store ends with exactly N, nothing lost
 * and nothing counted twice. Runs on both backends.
 */
abstract class UsageJournalContract {

    private static final Instant AT = Instant.parse("2026-09-01T10:00:00Z");
    /** Sequence numbers as the journal makes them (microseconds since the epoch): 16 digits. */
    private static final long BASE = 1_765_000_000_000_123L;

    @TempDir
    Path journal;

    /** The store the dead and the new recorder share. */
    abstract SharedState state();

    /** How the dying process's store calls behave. */
    private enum Phase {
        ALIVE,
        /** writes reach the store but the answers never come back (killed while they were in flight) */
        APPLIED_UNANSWERED,
        /** nothing reaches the store any more */
        DEAD
    }

    /** The dying process's view of the store. */
    private static SharedState dying(SharedState real, AtomicInteger phase) {
        InvocationHandler h = (proxy, method, args) -> {
            Phase p = Phase.values()[phase.get()];
            // a batch (recordAll, or recordAllRiding: a batch that waits for the next spend) too: a killed process
            // sends nothing, and a flush still running when the recorder is abandoned, its journal closed, would send
            // a write without an id the next recorder cannot recognise
            boolean batch =
                    method.getName().equals("recordAll") || method.getName().equals("recordAllRiding");
            boolean usage = batch
                    || method.getName().equals("record")
                    || method.getName().equals("spend");
            if (p == Phase.DEAD && usage) {
                return batch ? unanswered(((List<?>) args[0]).size()) : new CompletableFuture<Void>();
            }
            Object result = method.invoke(real, args);
            if (p == Phase.APPLIED_UNANSWERED && usage) {
                if (batch) {
                    List<?> stages = (List<?>) result;
                    stages.forEach(st ->
                            ((CompletionStage<?>) st).toCompletableFuture().join());
                    return unanswered(stages.size());
                }
                ((CompletionStage<?>) result).toCompletableFuture().join();
                return new CompletableFuture<Void>();
            }
            return result;
        };
        return (SharedState)
                Proxy.newProxyInstance(SharedState.class.getClassLoader(), new Class<?>[] {SharedState.class}, h);
    }

    /** {@code n} answers that never come. */
    private static List<CompletionStage<Void>> unanswered(int n) {
        List<CompletionStage<Void>> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new CompletableFuture<>());
        }
        return out;
    }

    private static UsageRecord record(String key, boolean immediate, int i) {
        return new UsageRecord(
                key,
                "acct-" + (i % 2),
                "model-" + (i % 3),
                UsageCounters.of(new Usage(10, 1, 0, 0), false, 5),
                AT.plusSeconds(i % 7),
                immediate ? Duration.ofHours(1) : null,
                immediate,
                null);
    }

    @Test
    void recordsOfAKilledRecorderAreWrittenOnceByTheNextOne() throws Exception {
        SharedState real = state();
        AtomicInteger phase = new AtomicInteger(Phase.ALIVE.ordinal());
        String limited = "limited-" + System.nanoTime();
        String plain = "plain-" + System.nanoTime();
        UsageRecorder first =
                new UsageRecorder(dying(real, phase), Duration.ofHours(1), 10_000, Duration.ofMillis(5), journal);
        int n = 0;
        for (Phase p : Phase.values()) {
            phase.set(p.ordinal());
            for (int i = 0; i < 60; i++, n++) {
                first.record(record(i % 2 == 0 ? limited : plain, i % 2 == 0, n));
                if (i % 10 == 0) {
                    Thread.sleep(10); // let batches form and go out in every phase
                }
            }
        }
        // killed: never closed, its last records not even batched; what it journalled is all that is left of it
        first.abandon();

        try (UsageRecorder second =
                new UsageRecorder(real, Duration.ofMillis(50), 10_000, Duration.ofMillis(5), journal)) {
            assertThat(second.waiting()).as("writes left open are queued again").isPositive();
        }

        UsageCounters total = total(real, UsageScope.KEY, limited).plus(total(real, UsageScope.KEY, plain));
        assertThat(total.requests()).as("every completed request, once").isEqualTo(n);
        assertThat(total.inputTokens()).isEqualTo(10L * n);
        assertThat(total.costMicros())
                .as("spent cost (limited key) and batched cost (plain key), once")
                .isEqualTo(5L * n);
        long byAccount = 0;
        for (String a : List.of("acct-0", "acct-1")) {
            byAccount += total(real, UsageScope.ACCOUNT, a).requests();
        }
        assertThat(byAccount).as("the account counters too").isEqualTo(n);

        try (UsageRecorder third =
                new UsageRecorder(real, Duration.ofMillis(50), 10_000, Duration.ofMillis(5), journal)) {
            assertThat(third.waiting()).as("nothing left after a clean close").isZero();
        }
        assertThat(total(real, UsageScope.KEY, plain).requests()
                        + total(real, UsageScope.KEY, limited).requests())
                .as("a second restart writes nothing again")
                .isEqualTo(n);
    }

    @Test
    void aWriteAppliedBeforeIsSkippedUnderItsId() {
        SharedState s = state();
        String key = "dedupe-" + System.nanoTime();
        UsageRecord r = record(key, false, 0);
        WriteId id = new WriteId("w1", BASE, BASE);
        await(s.record(r, Set.of(UsageScope.KEY), id));
        await(s.record(r, Set.of(UsageScope.KEY), id));
        assertThat(total(s, UsageScope.KEY, key).requests())
                .as("a retried write")
                .isEqualTo(1);

        await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", BASE + 1, BASE + 1)));
        await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", BASE, BASE)));
        assertThat(total(s, UsageScope.KEY, key).requests())
                .as("a new number counts; an acknowledged one (below the low mark) does not")
                .isEqualTo(2);
        await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w2", BASE, BASE)));
        assertThat(total(s, UsageScope.KEY, key).requests())
                .as("another writer's numbers are its own")
                .isEqualTo(3);

        UsageRecord spent = record(key, true, 0);
        await(s.spend(spent, new WriteId("w1", BASE + 2, BASE + 1)));
        await(s.spend(spent, new WriteId("w1", BASE + 2, BASE + 1)));
        assertThat(total(s, UsageScope.KEY, key).costMicros())
                .as("three recorded, one spent once")
                .isEqualTo(4 * 5);
    }

    @Test
    void writesForgottenBelowTheLowMarkStayAppliedWhenReplayedWithAnOlderMark() {
        SharedState s = state();
        String key = "forget-" + System.nanoTime();
        UsageRecord r = record(key, false, 0);
        UsageRecord spent = record(key, true, 0);
        int n = 100;
        for (int i = 0; i < n; i++) {
            // each acknowledged before the next: the low mark moves along, and the store may forget what is below it
            await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", BASE + 2L * i, BASE + 2L * i)));
            await(s.spend(spent, new WriteId("w1", BASE + 2L * i + 1, BASE + 2L * i + 1)));
        }
        for (int i = 0; i < 2 * n; i++) {
            // a journal replayed after a crash: the same numbers, under the mark the journal had at the start
            if (i % 2 == 0) {
                await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", BASE + i, BASE)));
            } else {
                await(s.spend(spent, new WriteId("w1", BASE + i, BASE)));
            }
        }
        UsageCounters after = total(s, UsageScope.KEY, key);
        assertThat(after.requests()).as("records, each once").isEqualTo(n);
        assertThat(after.costMicros()).as("records and spends, each once").isEqualTo(2L * n * 5);

        long late = BASE + 2L * n + 40;
        await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", late, BASE + 2L * n)));
        await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", late - 20, BASE + 2L * n)));
        await(s.record(r, Set.of(UsageScope.KEY), new WriteId("w1", late - 20, BASE + 2L * n)));
        assertThat(total(s, UsageScope.KEY, key).requests())
                .as("a write still in flight above the mark counts once, after a later one")
                .isEqualTo(n + 2);
    }

    private static UsageCounters total(SharedState s, UsageScope scope, String id) {
        List<UsageRow> rows = await(s.usage(scope, Period.TOTAL, AT));
        return rows.stream()
                .filter(r -> r.id().equals(id))
                .map(UsageRow::counters)
                .findFirst()
                .orElse(UsageCounters.ZERO);
    }
}
