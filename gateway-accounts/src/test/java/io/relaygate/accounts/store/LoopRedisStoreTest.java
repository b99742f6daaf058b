package io.relaygate.accounts.store;

import io.netty.channel.EventLoopGroup;
import io.relaygate.accounts.Store;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on Redis in the per-loop mode the gateway runs it in ({@link Store#runOn}): every call of a
 * store part made on an event loop with its own connection, as the gateway's handlers make them. A result waited for
 * on its loop would fail here ({@link LoopBoundFuture}), and one completed elsewhere would still pass: the thread a
 * result completes on is {@link LoopConnectionsTest}'s.
 */
class LoopRedisStoreTest extends RedisStoreTest {

    private static EventLoopGroup loops;

    @BeforeAll
    static void startLoops() {
        loops = LoopSupport.loops(2, "store-loop");
    }

    @AfterAll
    static void stopLoops() {
        LoopSupport.stop(loops);
    }

    @Override
    Store openStore(Map<String, String> env) {
        Store store = super.openStore(env);
        return LoopSupport.onLoop(store, store.runOn(loops, LoopSupport.channelClass()), loops.next());
    }
}
