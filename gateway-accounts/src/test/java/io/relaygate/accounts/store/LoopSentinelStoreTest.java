package io.relaygate.accounts.store;

import io.netty.channel.EventLoopGroup;
import io.relaygate.accounts.Store;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a Sentinel-watched master in the gateway's per-loop mode: each loop's connection finds the
 * master through the Sentinel, as the shared one does.
 */
class LoopSentinelStoreTest extends SentinelStoreTest {

    private static EventLoopGroup loops;

    @BeforeAll
    static void startLoops() {
        loops = LoopSupport.loops(2, "sentinel-loop");
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
