package io.relaygate.accounts.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Redis deployment of a test class's own, started before its first test and stopped after its last:
 * {@code @RegisterExtension static final RedisTopology REDIS = RedisTopology.sentinel();}. The contract suites run on
 * each deployment through a base class that asks for its topology (e.g. {@code RedisTopologyStoreTest}).
 */
public final class RedisTopology implements BeforeAllCallback, AfterAllCallback {

    private final Function<Path, RedisServers> start;
    private Path dir;
    private RedisServers servers;

    private RedisTopology(Function<Path, RedisServers> start) {
        this.start = start;
    }

    /** A master watched by a Sentinel, through a {@code redis-sentinel://} URL. */
    public static RedisTopology sentinel() {
        return new RedisTopology(RedisServers::sentinel);
    }

    /** A three-master Cluster, through a {@code redis-cluster://} seed list. */
    public static RedisTopology cluster() {
        return new RedisTopology(dir -> RedisServers.cluster(dir, 3));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("relaygate-redis-");
        servers = start.apply(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (servers != null) {
            servers.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    public String url() {
        return servers.url();
    }

    public String rawState(String prefix) {
        return servers.rawState(prefix);
    }
}
