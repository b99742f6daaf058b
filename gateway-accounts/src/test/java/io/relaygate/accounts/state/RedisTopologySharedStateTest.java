package io.relaygate.accounts.state;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.RedisTopology;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The shared-state contract on a Redis deployment of the subclass's own ({@link RedisTopology}). */
abstract class RedisTopologySharedStateTest extends SharedStateContract {

    @TempDir
    Path dir;

    private final String prefix = RedisSupport.uniquePrefix();
    private final List<Store> stores = new ArrayList<>();

    abstract RedisTopology topology();

    @AfterEach
    void closeStores() {
        stores.forEach(Store::close);
    }

    /** Each call is a new instance (its own store and connections) on this test's prefix. */
    @Override
    SharedState state() {
        Store store = StoreFactory.open(
                new StoreConfig(StoreConfig.REDIS, dir, topology().url(), prefix), Map.of());
        stores.add(store);
        return store.state();
    }
}
