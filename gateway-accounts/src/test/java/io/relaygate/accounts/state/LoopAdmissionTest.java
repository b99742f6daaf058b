package io.relaygate.accounts.state;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.relaygate.accounts.store.LoopSupport;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event loop admitting keys far from their limits itself ({@link RedisLoopStandings}), against a real Redis over the
 * loops' own connections: what it lets in without waiting, what it still leaves to Redis, and that Redis ends up
 * counting every request and lease either way.
 */
class LoopAdmissionTest {

    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration FRESH = Duration.ofMillis(20);

    private static EventLoopGroup loops;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> direct;

    private final String prefix = RedisSupport.uniquePrefix();
    private final List<AutoCloseable> links = new ArrayList<>();
    private final Instant now = Instant.now();
    private int leases;

    @BeforeAll
    static void start() {
        RedisSupport.requireRedis();
        loops = LoopSupport.loops(2, "admit-loop");
        client = RedisClient.create(RedisSupport.url());
        direct = client.connect();
    }

    @AfterAll
    static void stop() {
        direct.close();
        client.shutdown();
        LoopSupport.stop(loops);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = links.size() - 1; i >= 0; i--) {
            links.get(i).close();
        }
        RedisSupport.deleteKeys(prefix);
    }

    /** A state whose loops admit far keys themselves for {@code fresh} (zero: never), and the loop its calls run on. */
    private Loop state(Duration fresh) {
        LoopSupport.PerLoop link = LoopSupport.perLoop(RedisSupport.url(), loops);
        RedisSharedState state = new RedisSharedState(
                link.commands(),
                prefix,
                RedisGroupCommit.DEFAULT_BOUND,
                RedisGroupCommit.DEFAULT_SPEND_BOUND,
                link.currentLoop(),
                fresh);
        links.add(link.closer());
        links.add(() -> state.flushLoops(Duration.ofSeconds(2)));
        return new Loop(state, loops.next());
    }

    private record Loop(RedisSharedState state, EventLoop loop) {

        <T> T on(java.util.concurrent.Callable<CompletionStage<T>> call) throws Exception {
            return await(loop.submit(call).get(10, TimeUnit.SECONDS));
        }

        Admission admit(AdmissionRequest r) throws Exception {
            return on(() -> state.admit(r));
        }

        long here() throws Exception {
            return counts()[0];
        }

        /** The loops' counts, read on the loop after what it is running now (answers taken there included). */
        long[] counts() throws Exception {
            return on(() -> java.util.concurrent.CompletableFuture.completedFuture(state.admittedWithoutWaiting()));
        }

        /** Sends what is parked on the loops and waits for the answers. */
        void flush() {
            state.flushLoops(Duration.ofSeconds(5));
        }
    }

    private static KeyRules rules(
            @Nullable Integer concurrency, @Nullable Long requests, @Nullable Long tokens, @Nullable Double daily) {
        return SharedStateContract.rules(
                concurrency,
                requests,
                requests == null ? null : Duration.ofMinutes(1),
                tokens,
                tokens == null ? null : Duration.ofHours(1),
                daily,
                null,
                null);
    }

    private static final KeyRules FAR = rules(10_000, 1_000_000L, 1_000_000_000L, 1_000.0);

    private AdmissionRequest request(String keyId, KeyRules rules, Instant at) {
        return new AdmissionRequest(keyId, rules, "lease-" + ++leases, LEASE, at, null, LEASE);
    }

    private AdmissionRequest session(String keyId, KeyRules rules, @Nullable String known) {
        return new AdmissionRequest(keyId, rules, "lease-" + ++leases, LEASE, now, "session-1", LEASE, known);
    }

    private UsageRecord spend(String keyId, KeyRules rules, @Nullable String lease, long costMicros) {
        return new UsageRecord(
                keyId,
                "acct",
                "model",
                UsageCounters.of(new Usage(30, 8, 0, 0), false, costMicros),
                now,
                rules.tokenWindow(),
                true,
                lease,
                false,
                UsageRecord.costLimitsOf(rules));
    }

    private String tag(String keyId) {
        return prefix + "{k:" + keyId + "}:";
    }

    private long requestsCounted(String keyId) {
        long start = AdmissionRequest.windowStart(now, Duration.ofMinutes(1));
        String v = direct.sync().get(tag(keyId) + "rw:" + start);
        return v == null ? 0 : Long.parseLong(v);
    }

    private long leasesHeld(String keyId) {
        return direct.sync()
                .zcount(tag(keyId) + "lease", Range.from(Range.Boundary.excluding(0), Range.Boundary.unbounded()));
    }

    @Test
    void aKeyFarFromItsLimitsIsAdmittedOnTheLoopAndRedisStillCountsEveryRequest() throws Exception {
        Loop l = state(FRESH);
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            AdmissionRequest r = request("far", FAR, now);
            assertThat(l.admit(r).admitted()).isTrue();
            held.add(r.leaseId());
        }
        // the first waits for Redis, which tells the loop where the key stands; the other 49 go on at once
        assertThat(l.here()).isEqualTo(49);
        l.flush();
        assertThat(requestsCounted("far")).isEqualTo(50);
        assertThat(leasesHeld("far")).isEqualTo(50);
        for (String lease : held) {
            l.on(() -> l.state().spend(spend("far", FAR, lease, 1_000)));
        }
        l.flush();
        assertThat(leasesHeld("far")).isZero();
        assertThat(direct.sync().hget(tag("far") + "u:DAY:" + Period.DAY.bucket(now), "cost"))
                .isEqualTo("50000");
        assertThat(l.counts()[1]).isZero();
    }

    @Test
    void theLastEighthOfALimitIsDecidedByRedisAlone() throws Exception {
        Loop l = state(FRESH);
        KeyRules sixtyFour = rules(null, 64L, null, null);
        int admitted = 0;
        for (int i = 0; i < 70; i++) {
            if (l.admit(request("near", sixtyFour, now)).admitted()) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(64);
        // at most up to 56 (64 less its eighth) on the loop's own count; the rest, and the refusals, from Redis
        assertThat(l.here()).isBetween(1L, 55L);
        l.flush();
        assertThat(requestsCounted("near")).isEqualTo(64);
    }

    @Test
    void smallLimitsAreAlwaysExact() throws Exception {
        Loop l = state(FRESH);
        KeyRules small = rules(63, 63L, null, null);
        for (int i = 0; i < 10; i++) {
            assertThat(l.admit(request("small", small, now)).admitted()).isTrue();
        }
        assertThat(l.here()).isZero();
    }

    @Test
    void aSpendOnTheLoopCountsAtOnceSoTheCapIsCheckedByRedis() throws Exception {
        Loop l = state(FRESH);
        KeyRules dollar = rules(null, null, null, 1.0);
        assertThat(l.admit(request("cap", dollar, now)).admitted()).isTrue();
        Admission second = l.admit(request("cap", dollar, now));
        assertThat(second.admitted()).isTrue();
        assertThat(l.here()).isEqualTo(1);
        // 0.95 of the dollar: near the cap by the loop's own count, before Redis has it
        l.on(() -> l.state().spend(spend("cap", dollar, null, 950_000)));
        Admission third = l.admit(request("cap", dollar, now));
        assertThat(third.admitted()).isTrue();
        assertThat(third.spend().day()).isEqualTo(950_000);
        assertThat(l.here()).as("the third admission waited for Redis").isEqualTo(1);
        l.on(() -> l.state().spend(spend("cap", dollar, null, 100_000)));
        Admission fourth = l.admit(request("cap", dollar, now));
        assertThat(fourth.admitted()).isFalse();
        assertThat(fourth.limit()).isEqualTo(Admission.Limit.DAILY_COST);
        assertThat(fourth.current()).isEqualTo(1_050_000);
    }

    @Test
    void aLocalAdmissionTellsWhatTheLoopCountsAsSpent() throws Exception {
        Loop l = state(FRESH);
        assertThat(l.admit(request("spent", FAR, now)).admitted()).isTrue();
        l.on(() -> l.state().spend(spend("spent", FAR, null, 2_500)));
        Admission local = l.admit(request("spent", FAR, now));
        assertThat(l.here()).isEqualTo(1);
        assertThat(local.spend().day()).isEqualTo(2_500);
        assertThat(local.spend().week()).isEqualTo(CostSpend.UNREAD);
    }

    @Test
    void aSessionGoesOnAtOnceOnlyWithItsStickyAccountKnown() throws Exception {
        Loop l = state(FRESH);
        assertThat(l.admit(request("sess", FAR, now)).admitted()).isTrue();
        Admission unknown = l.admit(session("sess", FAR, null));
        assertThat(unknown.admitted()).isTrue();
        assertThat(l.here()).isZero();
        Admission known = l.admit(session("sess", FAR, "acct-7"));
        assertThat(l.here()).isEqualTo(1);
        assertThat(known.stickyAccountId()).isEqualTo("acct-7");
    }

    @Test
    void aViewOlderThanItsFreshnessLeavesTheNextAdmissionToRedis() throws Exception {
        Loop l = state(FRESH);
        assertThat(l.admit(request("stale", FAR, now)).admitted()).isTrue();
        Instant edge = now.plus(FRESH);
        assertThat(l.admit(request("stale", FAR, edge)).admitted()).isTrue();
        assertThat(l.here()).isEqualTo(1);
        // its answer makes the view as old as that request
        l.flush();
        Instant later = edge.plus(FRESH).plusMillis(1);
        assertThat(l.admit(request("stale", FAR, later)).admitted()).isTrue();
        assertThat(l.here()).as("waited: the view is 21 ms old").isEqualTo(1);
        assertThat(l.admit(request("stale", FAR, later)).admitted()).isTrue();
        assertThat(l.here()).as("the answer just read is fresh again").isEqualTo(2);
    }

    @Test
    void withoutLocalAdmissionRedisDecidesEveryRequest() throws Exception {
        Loop l = state(Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            assertThat(l.admit(request("off", FAR, now)).admitted()).isTrue();
        }
        assertThat(l.here()).isZero();
        assertThat(requestsCounted("off")).isEqualTo(10);
    }

    @Test
    void aLeaseGivenBackWhileItsAdmissionIsStillParkedIsGoneInRedis() throws Exception {
        Loop l = state(FRESH);
        assertThat(l.admit(request("gone", FAR, now)).admitted()).isTrue();
        AdmissionRequest r = request("gone", FAR, now);
        // admitted on the loop and given back in one task: the lease's ZADD has not left the loop yet
        l.on(() -> l.state().admit(r).thenCompose(a -> l.state().release("gone", r.leaseId())));
        assertThat(l.here()).isEqualTo(1);
        l.flush();
        assertThat(leasesHeld("gone")).as("only the first request's lease").isEqualTo(1);
    }

    @Test
    void anotherInstanceTakingTheLastOfALimitShowsAsLateRefusals() throws Exception {
        Loop a = state(FRESH);
        Loop b = state(Duration.ZERO);
        KeyRules hundred = rules(null, 100L, null, null);
        assertThat(a.admit(request("race", hundred, now)).admitted()).isTrue();
        // the other instance takes all but this one's first request while this loop's view says 1 of 100
        for (int i = 0; i < 99; i++) {
            assertThat(b.admit(request("race", hundred, now)).admitted()).isTrue();
        }
        Admission late = a.admit(request("race", hundred, now));
        assertThat(late.admitted()).as("decided on the loop's 20 ms old view").isTrue();
        a.flush();
        assertThat(a.counts()).containsExactly(1, 1);
        assertThat(requestsCounted("race"))
                .as("Redis counted only what it admitted")
                .isEqualTo(100);
        assertThat(a.admit(request("race", hundred, now)).admitted())
                .as("the refusal left the key to Redis")
                .isFalse();
    }
}
