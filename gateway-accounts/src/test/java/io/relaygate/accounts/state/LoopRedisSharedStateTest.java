package io.relaygate.accounts.state;

import io.netty.channel.EventLoopGroup;
import io.relaygate.accounts.store.LoopSupport;
import io.relaygate.accounts.store.RedisSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

    /** As the store makes it on one server: a spend made on a loop waits there for the loop's next admission. */
    @Override
    SharedState state() {
        LoopSupport.PerLoop link = LoopSupport.perLoop(RedisSupport.url(), loops);
        RedisSharedState state = new RedisSharedState(
                link.commands(),
                prefix,
                id -> CompletableFuture.completedFuture(null),
                link.currentLoop(),
                io.relaygate.core.config.StoreConfig.DEFAULT_LOCAL_ADMISSION);
        // the spends still parked go before the loops' connections close, as the store's runOn handle sends them
        links.add(() -> state.flushLoops(Duration.ofSeconds(2)));
        links.add(link.closer());
        return LoopSupport.part(SharedState.class, state, loops.next());
    }
}
