package io.relaygate.accounts.store;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisSignInStoreTest extends SignInStoreContract {

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

    @Test
    void aSessionRevokedOnOneInstanceIsRefusedAtOnceByAnotherThatCheckedItBefore() throws Exception {
        Store one = open();
        Store two = open();
        SignInTokens checking = tokens(one);
        AutoCloseable sub = one.changes().subscribe(c -> {
            if (c.kind() == StoreChange.Kind.SESSION) {
                checking.forget(c.id());
            }
        });
        try {
            SignInTokens.Issued issued = await(checking.issue(person("alice"), "cc", "127.0.0.1"));
            assertThat(await(checking.authenticate(issued.accessToken()))).isPresent();
            assertThat(await(tokens(two).revoke(issued.session().id()))).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (await(checking.authenticate(issued.accessToken())).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(await(checking.authenticate(issued.accessToken())))
                    .as("told through the change channel, before its cached check runs out (5 s)")
                    .isEmpty();
        } finally {
            sub.close();
        }
    }

    @Test
    void peopleStoredBeforeTheSubjectIndexExistedAreFoundByTheirSubject() {
        Store one = open();
        io.relaygate.accounts.people.Person alice =
                await(one.people().create(withSubject(person("alice"), "idp|alice")));
        long dropped = RedisSupport.withRedis(r -> r.del(prefix + "{people}:bySubject"));
        assertThat(dropped).as("the index is a hash of its own").isEqualTo(1);
        assertThat(await(open().people().findBySubject("idp|alice")))
                .as("built from the records on first use")
                .contains(alice);
        String indexed = RedisSupport.withRedis(r -> r.hget(prefix + "{people}:bySubject", "idp|alice"));
        assertThat(indexed).isEqualTo(alice.id());
    }

    @Override
    String rawState() {
        return RedisSupport.rawState(prefix);
    }
}
