package io.relaygate.accounts.state;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on a standalone Redis, the state told it may be a Cluster: a usage batch as one call per scope and one
 * for the top lists ({@link RedisOneServerSharedStateTest}: as one call).
 */
class RedisSharedStateTest extends SharedStateContract {

    private static RedisClient client;
    final String prefix = RedisSupport.uniquePrefix();
    private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();

    @BeforeAll
    static void connect() {
        RedisSupport.requireRedis();
        client = RedisClient.create(RedisURI.create(RedisSupport.url()));
    }

    @AfterAll
    static void disconnect() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @AfterEach
    void cleanUp() {
        connections.forEach(StatefulRedisConnection::close);
        RedisSupport.deleteKeys(prefix);
    }

    /** Each call is a new instance on its own connection, on this test's prefix. */
    @Override
    SharedState state() {
        StatefulRedisConnection<String, String> c = client.connect();
        connections.add(c);
        return new RedisSharedState(c.async(), prefix, oneServer());
    }

    /** Whether the state is told every key is on one server. */
    boolean oneServer() {
        return false;
    }

    @Test
    void aUsageBatchWritesItsTopListsInOneCallWhateverTheNumberOfRecordsInIt() {
        java.util.concurrent.atomic.AtomicLong scripts = new java.util.concurrent.atomic.AtomicLong();
        RedisClient own = RedisClient.create(RedisURI.create(RedisSupport.url()));
        own.addListener(new io.lettuce.core.event.command.CommandListener() {
            @Override
            public void commandStarted(io.lettuce.core.event.command.CommandStartedEvent event) {
                String type = event.getCommand().getType().toString();
                if (type.equals("EVALSHA") || type.equals("EVAL")) {
                    scripts.incrementAndGet();
                }
            }
        });
        try (StatefulRedisConnection<String, String> c = own.connect()) {
            SharedState s = new RedisSharedState(c.async(), prefix, oneServer());
            batch(s, 1, "warm"); // loads the scripts (NOSCRIPT, then EVAL), indexes the ids
            scripts.set(0);
            batch(s, 1, "one");
            long one = scripts.getAndSet(0);
            batch(s, 40, "forty");
            long forty = scripts.get();
            if (oneServer()) {
                assertThat(one)
                        .as("one server: the record's three usage writes and the top lists in one batch.lua")
                        .isEqualTo(1);
                assertThat(forty).as("forty records: still one call").isEqualTo(1);
            } else {
                assertThat(one)
                        .as("a record's three usage scripts, plus one write of the nine top lists (scope × hour, day,"
                                + " week)")
                        .isEqualTo(3 + 1);
                assertThat(forty)
                        .as("forty records: their usage scripts, and still one top list write")
                        .isEqualTo(40 * 3 + 1);
            }
        } finally {
            own.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static void batch(SharedState s, int records, String name) {
        List<UsageWrite> writes = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            writes.add(new UsageWrite(
                    new UsageRecord(
                            name + "-key-" + i,
                            name + "-acct",
                            name + "-model",
                            UsageCounters.of(new Usage(1, 1, 0, 0), false, 10),
                            T0,
                            null),
                    null));
        }
        await(java.util.concurrent.CompletableFuture.allOf(s.recordAll(writes).stream()
                .map(java.util.concurrent.CompletionStage::toCompletableFuture)
                .toArray(java.util.concurrent.CompletableFuture[]::new)));
    }

    @Test
    void everyKeyItWritesIsUnderThePrefixWithItsHashTag() {
        SharedState s = state();
        KeyRules rules = rules(2, 5L, Duration.ofMinutes(1), 100L, Duration.ofHours(1), 1.0, null, null);
        await(s.admit(new AdmissionRequest("kid", rules, "l1", LEASE, T0, "h1", STICKY)));
        await(s.stick("kid", "h1", "acct", T0, STICKY));
        await(s.record(new UsageRecord(
                "kid", "acct", "model", UsageCounters.of(new Usage(1, 1, 0, 0), false, 1), T0, Duration.ofHours(1))));
        await(s.setQuota("acct", new AccountQuota(java.util.Map.of(), T0)));

        List<String> keys = RedisSupport.withRedis(r -> r.keys(prefix + "*"));

        assertThat(keys)
                .allSatisfy(k -> assertThat(k).matches(java.util.regex.Pattern.quote(prefix) + "\\{[^}]+}:.*"))
                .contains(
                        prefix + "{k:kid}:lease",
                        prefix + "{k:kid}:s:h1",
                        prefix + "{a:acct}:u:TOTAL:total",
                        prefix + "{acct}:quota")
                .anySatisfy(k -> assertThat(k).startsWith(prefix + "{k:kid}:rw:"))
                .anySatisfy(k -> assertThat(k).startsWith(prefix + "{k:kid}:tw:"));
        long pttl = RedisSupport.withRedis(r -> r.pttl(prefix + "{k:kid}:lease"));
        assertThat(pttl)
                .as("leases expire even if no instance ever cleans them up")
                .isPositive();
    }

    @Test
    void aRenewalKeepsTheLeaseSetAliveAsLongAsTheLease() {
        SharedState s = state();
        KeyRules rules = rules(2, null, null, null, null, null, null, null);
        java.time.Instant now = java.time.Instant.now();
        await(s.admit(new AdmissionRequest("kid", rules, "l1", Duration.ofSeconds(15), now, null, STICKY)));
        long first = RedisSupport.withRedis(r -> r.pttl(prefix + "{k:kid}:lease"));
        await(s.renew("kid", "l1", now.plus(Duration.ofMinutes(10))));
        long renewed = RedisSupport.withRedis(r -> r.pttl(prefix + "{k:kid}:lease"));

        assertThat(first)
                .as("a 15 s lease, with slack")
                .isLessThan(Duration.ofMinutes(2).toMillis());
        assertThat(renewed)
                .as("renewed to +10 min: the set must not expire (and free the slot) before its lease does")
                .isGreaterThan(Duration.ofMinutes(10).toMillis());
    }

    @Test
    void aLostScriptCacheIsReloaded() {
        SharedState s = state();
        RedisSupport.withRedis(r -> r.scriptFlush());
        Admission a = await(s.admit(new AdmissionRequest("kid", KeyRules.NONE, "l", LEASE, T0, "h", STICKY)));
        assertThat(a.admitted()).isTrue();
    }
}
