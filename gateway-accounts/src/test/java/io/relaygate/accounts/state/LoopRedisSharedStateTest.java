package io.relaygate.accounts.state;

import io.netty.channel.EventLoopGroup;
import io.relaygate.accounts.store.LoopSupport;
import io.relaygate.accounts.store.RedisSupport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared state's contract on a standalone Redis in the gateway's per-loop mode: each call made on an event loop
 * that runs its own connection ({@code Store.runOn}), as admission and usage run in the gateway.
 */
class LoopRedisSharedStateTest extends RedisOneServerSharedStateTest {

    private static EventLoopGroup loops;
    private final List<AutoCloseable> links = new ArrayList<>();

    @BeforeAll
    static void startLoops() {
        loops = LoopSupport.loops(2, "state-loop");
    }

    @AfterAll
    static void stopLoops() {
        LoopSupport.stop(loops);
    }

    @AfterEach
    void closeLinks() throws Exception {
        for (AutoCloseable c : links) {
            c.close();
        }
    }

    @Override
    SharedState state() {
        return LoopSupport.part(
                SharedState.class,
                new RedisSharedState(LoopSupport.commands(RedisSupport.url(), loops, links), prefix, oneServer()),
                loops.next());
    }
}
