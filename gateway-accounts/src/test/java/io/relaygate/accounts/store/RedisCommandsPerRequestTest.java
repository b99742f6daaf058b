package io.relaygate.accounts.store;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.RedisGroupCommit;
import io.relaygate.accounts.state.RedisSharedState;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.UsageWrite;
import io.relaygate.accounts.state.WriteId;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many commands Redis runs per request of a key with every shared limit (concurrency, requests, tokens, daily
 * cost) and a session, the way the gateway sends them with its usage journal: an admission and a spend per request,
 * then per 100 ms batch the summed usage record and the request records. Counted by a redis-server of the test's own
 * ({@code INFO commandstats}: calls made inside scripts included), so the counts are exact: a count, not a timing.
 *
 * <p>On one server the regular batches ride in the next spend's call (group commit, {@link
 * io.relaygate.accounts.state.RedisGroupCommit}): two top-level calls a request at c=1, whatever the batches. With the
 * store on event loops, a spend made on a loop rides in that loop's next admission: one call a request.
 */
class RedisCommandsPerRequestTest {

    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final KeyRules RULES = rules(20_000);
    /** {@link #RULES} with a concurrency of one: a lease not given back refuses the next admission. */
    private static final KeyRules ONE_AT_A_TIME = rules(1);

    /** Requests per 100 ms batch of one key at c=1 (about 400 requests/s through the gateway on the bench machine). */
    private static final int REQUESTS_PER_BATCH = 40;

    @TempDir
    static Path dir;

    private static RedisProcess redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static SharedState state;
    private static RedisRequestRecords records;
    private static long seq;
    private static long batches;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        client = RedisClient.create(redis.url());
        connection = client.connect();
        // a bound far beyond a loaded machine's pauses: in these counts a batch rides whenever a spend follows it
        state = new RedisSharedState(
                connection.async(),
                "t:",
                Duration.ofSeconds(30),
                RedisGroupCommit.DEFAULT_SPEND_BOUND,
                () -> null,
                Duration.ZERO);
        records = new RedisRequestRecords(connection.async(), "t:", 100_000, ((RedisSharedState) state).groupCommit());
        // loads the scripts (NOSCRIPT, then EVAL) and indexes the ids: once per process, not per request
        Instant warm = Instant.now();
        for (int i = 0; i < 3; i++) {
            request("warm-" + i, warm);
        }
        batch(3, warm);
        // and group.lua, which a spend with parked batches sends
        List<CompletableFuture<Void>> riding = ridingBatch(3, warm);
        request("warm-ride", warm);
        await(CompletableFuture.allOf(riding.toArray(CompletableFuture[]::new)));
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    @Test
    void aRequestCostsTwoScriptsAndAtMostTenCallsInsideThem() {
        Instant now = Instant.now();
        Calls before = Calls.read();
        for (int i = 0; i < 10; i++) {
            request("r" + i, now.plusMillis(i));
        }
        Calls used = Calls.read().minus(before);

        assertThat(used.scripts()).as("the admission and the spend").isEqualTo(2 * 10);
        assertThat(used.inside())
                .as("admit.lua 5 (the day's cost, windows and session in one MGET, lease count and add, request"
                        + " window), spend.lua 5 (deduplication 2, the day's cost, the token window, the lease back);"
                        + " plus 3 once in 32 writes (the deduplication forgets acknowledged numbers)")
                .isLessThanOrEqualTo(10 * 10 + 3);
    }

    @Test
    void aBatchIsTwoScriptsWhateverTheNumberOfRequestsInItAndAtTwelveCallsPerRequestInAll() {
        Instant now = Instant.now();
        Calls before = Calls.read();
        batch(1, now);
        Calls one = Calls.read().minus(before);
        before = Calls.read();
        batch(REQUESTS_PER_BATCH, now);
        Calls many = Calls.read().minus(before);
        before = Calls.read();
        for (int i = 0; i < REQUESTS_PER_BATCH; i++) {
            request("b" + i, now.plusMillis(i));
        }
        Calls requests = Calls.read().minus(before);

        assertThat(many)
                .as("one summed usage record and one records entry, however many requests")
                .isEqualTo(one);
        assertThat(many.scripts())
                .as("a standalone Redis: batch.lua (usage of key, account and model, and the top lists), the records'"
                        + " EVAL")
                .isEqualTo(1 + 1);
        assertThat(many.inside())
                .as("batch.lua: usage 18 per scope (deduplication 2, one HINCRBY per counter and bucket), 9 ZADD GT"
                        + " (scope × hour, day, week); records: XADD, INCRBY, ZADD")
                .isEqualTo(3 * 18 + 9 + 3);
        double inside = (requests.inside() + many.inside()) / (double) REQUESTS_PER_BATCH;
        assertThat(inside)
                .as("calls inside scripts per request, " + REQUESTS_PER_BATCH + " requests a batch (issue 21: <= 12)")
                .isLessThanOrEqualTo(12);
    }

    @Test
    void batchesThatAreDueRideInTheNextSpendSoARequestCostsTwoCallsInAll() {
        Instant now = Instant.now();
        long input = accountInput(now);
        Calls before = Calls.read();
        int batchesSent = 4;
        int perBatch = 5;
        List<CompletableFuture<Void>> written = new ArrayList<>();
        for (int b = 0; b < batchesSent; b++) {
            // the usage recorder's and the request log's ticks, then the requests of the next 100 ms
            written.addAll(ridingBatch(perBatch, now));
            for (int i = 0; i < perBatch; i++) {
                request("g" + b + "_" + i, now.plusMillis(i));
            }
        }
        await(CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)));
        Calls used = Calls.read().minus(before);

        int requests = batchesSent * perBatch;
        assertThat(used.scripts())
                .as("per request the admission and the spend; each batch's usage and records in a spend's call")
                .isEqualTo(2L * requests);
        assertThat(used.inside())
                .as("inside scripts the same calls as apart: per request 10, per batch 66 (usage 3 × 18, 9 ZADD GT,"
                        + " records 3); plus 3 once in 32 writes per writer (the deduplication forgets numbers)")
                .isLessThanOrEqualTo(10L * requests + 66L * batchesSent + 2 * 3);
        assertThat(accountInput(now) - input)
                .as("every riding batch's usage written once")
                .isEqualTo(30L * perBatch * batchesSent);
    }

    @Test
    void aBatchWithNoSpendAfterItGoesOnItsOwnWithinItsBound() {
        Instant now = Instant.now();
        long input = accountInput(now);
        // the gateway's bound (the batch interval): nothing else to wait for, the batch goes alone after it
        RedisSharedState alone = new RedisSharedState(connection.async(), "t:", true);
        RedisRequestRecords aloneRecords =
                new RedisRequestRecords(connection.async(), "t:", 100_000, alone.groupCommit());
        Calls before = Calls.read();
        List<CompletableFuture<Void>> written = ridingBatch(alone, aloneRecords, 7, now);
        await(CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)));
        Calls used = Calls.read().minus(before);

        assertThat(used.scripts())
                .as("no spend came: the usage and the records went together, one call (was two)")
                .isEqualTo(1);
        assertThat(accountInput(now) - input).isEqualTo(30L * 7);
        assertThat(await(records.read(new io.relaygate.accounts.ledger.RequestQuery(
                                null, null, now.minusSeconds(1), null, 1000)))
                        .stream()
                        .filter(r -> r.id().startsWith("req_" + batches + "_"))
                        .count())
                .as("the batch's request records, in the stream")
                .isEqualTo(7);
    }

    @Test
    void aPartThatFailsInsideTheGroupFailsAloneAndTheSpendIsCounted() {
        Instant now = Instant.now();
        // a records stream that is not a stream: its XADD fails inside the group's call
        connection.sync().set("bad:{requests}:log", "not a stream");
        RedisRequestRecords bad =
                new RedisRequestRecords(connection.async(), "bad:", 100, ((RedisSharedState) state).groupCommit());
        long input = accountInput(now);
        CompletionStage<Void> usage = state.recordAllRiding(List.of(new UsageWrite(summed(2, now), null)))
                .get(0);
        CompletionStage<Void> failing =
                bad.appendRiding(List.of(StoreContract.record("req_bad", now, "kid", "acct", 200, 30)));
        Calls before = Calls.read();
        request("p0", now);
        Calls used = Calls.read().minus(before);

        assertThat(used.scripts())
                .as("the admission, and the spend carrying both parts")
                .isEqualTo(2);
        assertThat(Futures.failure(failing)).hasMessageContaining("WRONGTYPE");
        await(usage);
        assertThat(accountInput(now) - input).as("the usage part applied").isEqualTo(60);
        connection.sync().del("bad:{requests}:log");
    }

    @Test
    void withoutOneServerABatchGoesAtOncePerSlotAndNothingRides() {
        SharedState perSlot = new RedisSharedState(connection.async(), "t:", false);
        assertThat(((RedisSharedState) perSlot).groupCommit()).isNull();
        Instant now = Instant.now();
        UsageRecord sum = summed(1, now);
        // the ids' index entries: once per process
        await(perSlot.recordAllRiding(List.of(new UsageWrite(sum, null))).get(0));
        Calls before = Calls.read();
        await(perSlot.recordAllRiding(List.of(new UsageWrite(sum, null))).get(0));
        Calls used = Calls.read().minus(before);

        assertThat(used.scripts())
                .as("a Cluster's path: usage.lua per scope (key, account, model) and topset.lua for the top lists")
                .isEqualTo(3 + 1);
    }

    @Test
    void onALoopEachSpendRidesInTheLoopsNextAdmissionSoARequestCostsOneCall() throws Exception {
        EventLoopGroup loops = LoopSupport.loops(1, "ride");
        EventLoop loop = loops.next();
        try {
            // a bound no pause reaches: here only admissions and the flush send spends
            RedisSharedState riding = ridingState(loop, Duration.ofSeconds(30));
            Instant now = Instant.now();
            warmRiding(riding, loop, now);
            Calls before = Calls.read();
            List<CompletableFuture<Void>> spent = new ArrayList<>();
            int requests = 10;
            for (int i = 0; i < requests; i++) {
                // a concurrency of one: each admission is refused unless the spend before it gave its lease back
                String lease = "l" + i;
                assertThat(await(onLoop(
                                        loop,
                                        () -> riding.admit(new AdmissionRequest(
                                                "kid1", ONE_AT_A_TIME, lease, LEASE, now, null, LEASE))))
                                .admitted())
                        .as("admission %d, after the spend of the one before it", i)
                        .isTrue();
                spent.add(onLoop(loop, () -> riding.spend(spendOf("kid1", lease, now), nextWrite()))
                        .toCompletableFuture());
            }
            assertThat(spent.get(requests - 1))
                    .as("the last spend, waiting for an admission")
                    .isNotDone();
            riding.flushLoops(Duration.ofSeconds(5));
            await(CompletableFuture.allOf(spent.toArray(CompletableFuture[]::new)));
            Calls used = Calls.read().minus(before);

            assertThat(used.scripts())
                    .as("one call a request (each spend in the next admission's), and the last spend flushed")
                    .isEqualTo(requests + 1);
            assertThat(used.inside()).as("the same calls inside as apart").isLessThanOrEqualTo(10L * requests + 3);
        } finally {
            LoopSupport.stop(loops);
        }
    }

    @Test
    void aSpendNoAdmissionPicksUpGoesAloneWithinItsBoundAndAFullLoadGoesAtOnce() throws Exception {
        EventLoopGroup loops = LoopSupport.loops(1, "ride");
        EventLoop loop = loops.next();
        try {
            Instant now = Instant.now();
            RedisSharedState soon = ridingState(loop, Duration.ofMillis(20));
            warmRiding(soon, loop, now);
            Calls before = Calls.read();
            await(onLoop(loop, () -> soon.spend(spendOf("kid", null, now), nextWrite())));
            assertThat(Calls.read().minus(before).scripts())
                    .as("the spend alone, from the loop's timer")
                    .isEqualTo(1);

            RedisSharedState late = ridingState(loop, Duration.ofSeconds(30));
            warmRiding(late, loop, now);
            before = Calls.read();
            List<CompletableFuture<Void>> spent = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                spent.add(onLoop(loop, () -> late.spend(spendOf("kid", null, now), nextWrite()))
                        .toCompletableFuture());
            }
            await(CompletableFuture.allOf(spent.toArray(CompletableFuture[]::new)));
            assertThat(Calls.read().minus(before).scripts())
                    .as("64 spends parked: they go together at once, not after the bound")
                    .isEqualTo(1);
        } finally {
            LoopSupport.stop(loops);
        }
    }

    @Test
    void aPartThatFailsInAnAdmissionsCallFailsAloneAndTheAdmissionAndTheSpendStand() throws Exception {
        EventLoopGroup loops = LoopSupport.loops(1, "ride");
        EventLoop loop = loops.next();
        try {
            RedisSharedState riding = ridingState(loop, Duration.ofSeconds(30));
            Instant now = Instant.now();
            warmRiding(riding, loop, now);
            connection.sync().set("bad2:{requests}:log", "not a stream");
            RedisRequestRecords bad = new RedisRequestRecords(connection.async(), "bad2:", 100, riding.groupCommit());
            assertThat(await(onLoop(
                                    loop,
                                    () -> riding.admit(new AdmissionRequest(
                                            "kid1", ONE_AT_A_TIME, "f1", LEASE, now, null, LEASE))))
                            .admitted())
                    .isTrue();
            CompletionStage<Void> spend = onLoop(loop, () -> riding.spend(spendOf("kid1", "f1", now), nextWrite()));
            CompletionStage<Void> failing =
                    bad.appendRiding(List.of(StoreContract.record("req_bad2", now, "kid", "acct", 200, 30)));
            Calls before = Calls.read();
            assertThat(await(onLoop(
                                    loop,
                                    () -> riding.admit(new AdmissionRequest(
                                            "kid1", ONE_AT_A_TIME, "f2", LEASE, now, null, LEASE))))
                            .admitted())
                    .as("admitted: the spend before it gave the lease back, in the same call")
                    .isTrue();
            assertThat(Calls.read().minus(before).scripts())
                    .as("the admission carrying the spend and the records")
                    .isEqualTo(1);
            await(spend);
            assertThat(Futures.failure(failing)).hasMessageContaining("WRONGTYPE");
            CompletionStage<Void> last = onLoop(loop, () -> riding.spend(spendOf("kid1", "f2", now), nextWrite()));
            riding.flushLoops(Duration.ofSeconds(5));
            await(last);
        } finally {
            connection.sync().del("bad2:{requests}:log");
            LoopSupport.stop(loops);
        }
    }

    /** A state whose spends made on {@code loop} wait up to {@code spendBound} there for its next admission. */
    private static RedisSharedState ridingState(EventLoop loop, Duration spendBound) {
        return new RedisSharedState(
                connection.async(),
                "t:",
                Duration.ofSeconds(30),
                spendBound,
                () -> loop.inEventLoop() ? loop : null,
                Duration.ZERO);
    }

    /** Loads group.lua (NOSCRIPT, then EVAL) with a spend riding an admission: once per process, not per request. */
    private static void warmRiding(RedisSharedState riding, EventLoop loop, Instant at) throws Exception {
        CompletionStage<Void> spend = onLoop(loop, () -> riding.spend(spendOf("kid", null, at), nextWrite()));
        await(onLoop(loop, () -> riding.admit(new AdmissionRequest("kid", RULES, "warm", LEASE, at, null, LEASE))));
        await(spend);
        CompletionStage<Void> last = onLoop(loop, () -> riding.spend(spendOf("kid", "warm", at), nextWrite()));
        riding.flushLoops(Duration.ofSeconds(5));
        await(last);
    }

    /** {@code call} made on {@code loop}, as the gateway makes it; its stage, which completes later. */
    private static <T> CompletionStage<T> onLoop(EventLoop loop, java.util.concurrent.Callable<CompletionStage<T>> call)
            throws Exception {
        return loop.submit(call).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static WriteId nextWrite() {
        seq++;
        return new WriteId("w1", seq, seq);
    }

    /** A finished request's spend of key {@code keyId} under {@link #RULES}, giving {@code lease} back if any. */
    private static UsageRecord spendOf(String keyId, @org.jspecify.annotations.Nullable String lease, Instant at) {
        return new UsageRecord(
                keyId,
                "acct",
                "model",
                UsageCounters.of(new Usage(30, 8, 0, 0), false, 174),
                at,
                RULES.tokenWindow(),
                true,
                lease,
                false,
                UsageRecord.costLimitsOf(RULES));
    }

    /** Every shared limit: {@code concurrency}, requests, tokens and a daily cost, the rest far above what is sent. */
    private static KeyRules rules(int concurrency) {
        return new KeyRules(
                concurrency,
                1_000_000_000L,
                Duration.ofMinutes(1),
                100_000_000_000L,
                Duration.ofHours(1),
                100_000.0,
                null,
                null,
                List.of(),
                List.of(),
                java.util.Set.of(),
                null,
                null,
                null);
    }

    /** The account's input tokens this week so far, as the store reads them. */
    private static long accountInput(Instant at) {
        return await(state.usageOf(
                        io.relaygate.accounts.state.UsageScope.ACCOUNT,
                        "acct",
                        io.relaygate.accounts.state.Period.TOTAL,
                        List.of(at)))
                .get(0)
                .inputTokens();
    }

    /**
     * One 100 ms batch of {@code n} requests as the recorder and the log send it on their ticks, riding: its usage
     * record and its request records, parked for the next spend; one future per part.
     */
    private static List<CompletableFuture<Void>> ridingBatch(int n, Instant at) {
        return ridingBatch(state, records, n, at);
    }

    private static List<CompletableFuture<Void>> ridingBatch(
            SharedState state, RedisRequestRecords records, int n, Instant at) {
        seq++;
        batches++;
        List<CompletableFuture<Void>> out = new ArrayList<>();
        for (CompletionStage<Void> w : state.recordAllRiding(
                List.of(new UsageWrite(summed(n, at), new WriteId("batches", batches, batches))))) {
            out.add(w.toCompletableFuture());
        }
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(StoreContract.record("req_" + batches + "_" + i, at, "kid", "acct", 200, 30));
        }
        out.add(records.appendRiding(batch).toCompletableFuture());
        return out;
    }

    /** The summed usage record of {@code n} requests, counted against the limits already. */
    private static UsageRecord summed(int n, Instant at) {
        return new UsageRecord(
                        "kid",
                        "acct",
                        "model",
                        UsageCounters.of(new Usage(30L * n, 8L * n, 0, 0), false, 174L * n),
                        at,
                        RULES.tokenWindow(),
                        true,
                        null,
                        false,
                        UsageRecord.costLimitsOf(RULES))
                .counted();
    }

    /** One request as the gateway sends it: the admission, then the spend with the lease (journalled write id). */
    private static void request(String id, Instant at) {
        assertThat(await(state.admit(new AdmissionRequest("kid", RULES, id, LEASE, at, "session", LEASE)))
                        .admitted())
                .isTrue();
        UsageRecord done = spendOf("kid", id, at);
        seq++;
        await(state.spend(done, new WriteId("w1", seq, seq)));
    }

    /** One 100 ms batch of {@code n} requests: their summed usage record and their request records. */
    private static void batch(int n, Instant at) {
        UsageRecord sum = summed(n, at);
        seq++;
        batches++;
        List<CompletionStage<Void>> writes =
                state.recordAll(List.of(new UsageWrite(sum, new WriteId("batches", batches, batches))));
        await(CompletableFuture.allOf(
                writes.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new)));
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(StoreContract.record("req_" + batches + "_" + i, at, "kid", "acct", 200, 30));
        }
        await(records.append(batch));
    }

    /**
     * Calls Redis ran: scripts sent (EVAL, EVALSHA) and calls made inside them (every other command but the test's own
     * connection set-up and reading).
     */
    private record Calls(long scripts, long inside) {

        private static final java.util.Set<String> CONNECTION_COMMANDS = java.util.Set.of("info", "ping", "hello");

        static Calls read() {
            RedisClient c = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> s = c.connect()) {
                long scripts = 0;
                long inside = 0;
                for (String line : s.sync().info("commandstats").split("\r?\n")) {
                    if (!line.startsWith("cmdstat_")) {
                        continue;
                    }
                    String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                    long calls = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
                    if (name.equals("eval") || name.equals("evalsha")) {
                        scripts += calls;
                    } else if (!CONNECTION_COMMANDS.contains(name) && !name.startsWith("client")) {
                        inside += calls;
                    }
                }
                return new Calls(scripts, inside);
            } finally {
                c.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }

        Calls minus(Calls o) {
            return new Calls(scripts - o.scripts, inside - o.inside);
        }
    }
}
