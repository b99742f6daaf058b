package io.relaygate.accounts.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Redis deployments of a test's own, as real processes on free loopback ports, each in its own folder with
 * persistence off: a three-master Cluster ({@code redis-server --cluster-enabled yes} and
 * {@code redis-cli --cluster create}) or a master watched by one Sentinel. Every wait is bounded; {@link #close()}
 * stops every process it started (and is safe after a failed start).
 */
public final class RedisServers implements AutoCloseable {

    public static final String SENTINEL_MASTER = "mymaster";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> dataPorts = new ArrayList<>();
    private String url = "";
    private boolean cluster;

    private RedisServers(Path dir) {
        this.dir = dir;
    }

    /** Starts a Cluster of {@code masters} masters (no replicas) and waits until every node reports it ok. */
    public static RedisServers cluster(Path dir, int masters) {
        RedisServers s = new RedisServers(dir);
        try {
            s.startCluster(masters);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** Starts one master and one Sentinel watching it as {@link #SENTINEL_MASTER}. */
    public static RedisServers sentinel(Path dir) {
        RedisServers s = new RedisServers(dir);
        try {
            s.startSentinel();
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** The {@code REDIS_URL} of this deployment ({@code redis-cluster://…} or {@code redis-sentinel://…}). */
    public String url() {
        return url;
    }

    /** The data nodes' ports (the masters). */
    public List<Integer> dataPorts() {
        return List.copyOf(dataPorts);
    }

    /** Runs {@code action} with commands that reach the whole deployment (on a Cluster, every node's keys). */
    public <T> T withCommands(Function<RedisClusterCommands<String, String>, T> action) {
        if (cluster) {
            RedisClusterClient client = RedisClusterClient.create(seedUris());
            try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
                return action.apply(c.sync());
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
        return onNode(dataPorts.get(0), action::apply);
    }

    /** Every hash value under {@code prefix}, as {@link RedisSupport#rawState} shows it, across the deployment. */
    public String rawState(String prefix) {
        return withCommands(redis -> {
            StringBuilder sb = new StringBuilder();
            for (String key : redis.keys(prefix + "*")) {
                if (!"hash".equals(redis.type(key))) {
                    continue;
                }
                redis.hgetall(key).forEach((f, v) -> sb.append(key)
                        .append(' ')
                        .append(f)
                        .append('=')
                        .append(v)
                        .append('\n'));
            }
            return sb.toString();
        });
    }

    private List<RedisURI> seedUris() {
        List<RedisURI> uris = new ArrayList<>();
        for (int p : dataPorts) {
            uris.add(RedisURI.create("redis://127.0.0.1:" + p));
        }
        return uris;
    }

    private void startCluster(int masters) {
        cluster = true;
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < masters; i++) {
            int port = freePort();
            int bus = freePort();
            Path node = folder("node-" + port);
            start(
                    node,
                    "node.log",
                    List.of(
                            redisServer(),
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--cluster-enabled",
                            "yes",
                            // Redis 7 lets the bus port be chosen, so it too comes from the OS instead of port + 10000
                            "--cluster-port",
                            Integer.toString(bus),
                            "--cluster-config-file",
                            node.resolve("nodes.conf").toString(),
                            "--cluster-node-timeout",
                            "2000",
                            "--dir",
                            node.toString(),
                            "--save",
                            "",
                            "--appendonly",
                            "no"));
            dataPorts.add(port);
            nodes.add("127.0.0.1:" + port);
        }
        for (int port : dataPorts) {
            awaitTrue(() -> answers(port), "redis-server on port " + port + " starts (logs under " + dir + ")");
        }
        List<String> create = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
        create.addAll(nodes);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        runToEnd(create, "cluster-create.log");
        for (int port : dataPorts) {
            awaitTrue(
                    () -> onNode(port, r -> r.clusterInfo()).contains("cluster_state:ok"),
                    "the node on port " + port + " sees the cluster ok");
        }
        url = "redis-cluster://" + String.join(",", nodes);
    }

    private void startSentinel() {
        int master = freePort();
        Path data = folder("master-" + master);
        start(
                data,
                "master.log",
                List.of(
                        redisServer(),
                        "--port",
                        Integer.toString(master),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        data.toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "no"));
        dataPorts.add(master);
        awaitTrue(() -> answers(master), "redis-server on port " + master + " starts");
        int sentinel = freePort();
        Path watch = folder("sentinel-" + sentinel);
        Path conf = watch.resolve("sentinel.conf");
        write(
                conf,
                String.join(
                        "\n",
                        "port " + sentinel,
                        "bind 127.0.0.1",
                        "dir " + watch,
                        "sentinel monitor " + SENTINEL_MASTER + " 127.0.0.1 " + master + " 1",
                        "sentinel down-after-milliseconds " + SENTINEL_MASTER + " 5000",
                        ""));
        start(watch, "sentinel.log", List.of(redisServer(), conf.toString(), "--sentinel"));
        awaitTrue(
                () -> {
                    RedisClient client = RedisClient.create("redis://127.0.0.1:" + sentinel);
                    try (var c = client.connectSentinel()) {
                        var addr = c.sync().getMasterAddrByName(SENTINEL_MASTER);
                        return addr instanceof java.net.InetSocketAddress a && a.getPort() == master;
                    } catch (RuntimeException e) {
                        return false;
                    } finally {
                        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                    }
                },
                "the sentinel on port " + sentinel + " knows the master");
        url = "redis-sentinel://127.0.0.1:" + sentinel + "#" + SENTINEL_MASTER;
    }

    private Path folder(String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start(Path workDir, String log, List<String> command) {
        try {
            processes.add(new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve(log).toFile())
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + " (is redis-server installed?)", e);
        }
    }

    private void runToEnd(List<String> command, String log) {
        Path out = dir.resolve(log);
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command.get(0) + " did not finish within " + START_TIMEOUT);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(
                        String.join(" ", command) + " failed (" + p.exitValue() + "): " + Files.readString(out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + " (is redis-cli installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static boolean answers(int port) {
        try {
            return "PONG".equals(onNode(port, r -> r.ping()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static <T> T onNode(int port, Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> action) {
        RedisURI uri = RedisURI.create("redis://127.0.0.1:" + port);
        uri.setTimeout(Duration.ofSeconds(2));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return action.apply(c.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Polls {@code condition} every 50 ms for at most {@link #START_TIMEOUT}. */
    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
        throw new AssertionError("timed out after " + START_TIMEOUT + " waiting until " + what);
    }

    /** A port the OS had free a moment ago, on loopback. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String redisServer() {
        return binary("redis-server");
    }

    static String redisCli() {
        return binary("redis-cli");
    }

    private static String binary(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return d + "/" + name;
            }
        }
        return name;
    }

    /** Stops every process (SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}). */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
