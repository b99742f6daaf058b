package io.relaygate.accounts.store;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreException;
import io.relaygate.core.ApiKey;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisStoreTest extends StoreContract {

    private final String prefix = RedisSupport.uniquePrefix();

    @BeforeAll
    static void redisIsReachable() {
        RedisSupport.requireRedis();
    }

    @AfterEach
    void deleteOwnKeys() {
        RedisSupport.deleteKeys(prefix);
    }

    @Override
    Store openStore(Map<String, String> env) {
        return StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dataDir, RedisSupport.url(), prefix), env);
    }

    @Override
    String rawState() {
        return RedisSupport.rawState(prefix);
    }

    @Override
    void advancePastRecheck() {
        // every Redis read goes to Redis: nothing to wait for
    }

    @Test
    void twoInstancesOnOnePrefixShareTheirLocks() {
        Store one = open();
        Store two = open();
        assertThat(await(one.locks().tryLock("refresh:acc", "instance-1", java.time.Duration.ofSeconds(30))))
                .isTrue();
        assertThat(await(two.locks().tryLock("refresh:acc", "instance-2", java.time.Duration.ofSeconds(30))))
                .isFalse();
        await(one.locks().unlock("refresh:acc", "instance-1"));
        assertThat(await(two.locks().tryLock("refresh:acc", "instance-2", java.time.Duration.ofSeconds(30))))
                .isTrue();
    }

    @Test
    void bothHashesOfACollectionShareOneHashTagUnderThePrefix() {
        Store store = open();
        await(store.keys().create(key("alice")));
        await(store.accounts().create(account("main", 10)));

        String raw = rawState();

        assertThat(raw)
                .as("keys sit under the prefix with a hash tag per collection, so scripts stay in one slot")
                .contains(prefix + "{keys}:byId ")
                .contains(prefix + "{keys}:byName alice=")
                .contains(prefix + "{accounts}:byId ")
                .contains(prefix + "{accounts}:byName main=");
    }

    @Test
    void describeShowsTheUrlAndPrefixWithoutAPassword() {
        assertThat(open().describe()).isEqualTo(RedisSupport.url() + " (prefix " + prefix + ")");
    }

    @Test
    void anUnreachableRedisFailsToOpenWithAMessageNamingItWithoutThePassword() {
        StoreConfig config = new StoreConfig(StoreConfig.REDIS, dataDir, "redis://:hunter2pass@127.0.0.1:1", prefix);

        assertThatThrownBy(() -> StoreFactory.open(config, Map.of()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageNotContaining("hunter2pass");
    }

    @Test
    void renamesAreAtomicAcrossBothHashes() {
        Store store = open();
        ApiKey key = await(store.keys().create(key("alice")));
        await(store.keys()
                .update(new ApiKey(
                        key.id(),
                        "bob",
                        key.prefix(),
                        key.salt(),
                        key.secretHash(),
                        true,
                        key.createdAt(),
                        key.rules())));

        assertThat(rawState())
                .contains(prefix + "{keys}:byName bob=" + key.id())
                .doesNotContain("byName alice=");
    }

    @Test
    void anAccountPutOutOfRotationOrResumedIsToldToEveryInstanceWithItsId() throws Exception {
        Store gateway = open();
        Store other = open();
        java.util.concurrent.BlockingQueue<io.relaygate.accounts.StoreChange> told =
                new java.util.concurrent.LinkedBlockingQueue<>();
        gateway.changes().subscribe(told::add);

        await(other.state()
                .setCondition(
                        "acc-1",
                        new io.relaygate.accounts.state.AccountCondition(
                                io.relaygate.accounts.state.AccountCondition.State.UNAUTHORIZED,
                                "401",
                                java.time.Instant.parse("2026-01-01T00:00:00Z"),
                                null)));
        io.relaygate.accounts.StoreChange out = nextOf(told, io.relaygate.accounts.StoreChange.Kind.ACCOUNT_STATE);
        await(other.state().clearCondition("acc-1"));
        io.relaygate.accounts.StoreChange resumed = nextOf(told, io.relaygate.accounts.StoreChange.Kind.ACCOUNT_STATE);

        assertThat(out).isEqualTo(io.relaygate.accounts.StoreChange.accountState("acc-1"));
        assertThat(resumed).isEqualTo(io.relaygate.accounts.StoreChange.accountState("acc-1"));
    }

    @Override
    io.relaygate.accounts.ledger.RequestRecords boundedRequests(int keep) {
        return redisRequests(RedisSupport.url(), prefix, keep);
    }
}
