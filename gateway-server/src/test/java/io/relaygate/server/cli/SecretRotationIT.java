package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.server.GatewayServer;
import io.relaygate.server.TestAccounts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code relaygate secret rotate} against running gateways, with traffic flowing throughout: no request fails, and
 * afterwards the credentials open under the new key alone. On the embedded store the command makes the key; on Redis
 * with several instances the operator's two rolling restarts come first (operations.md).
 */
class SecretRotationIT {

    private static final String CREDENTIAL = "sk-ant-api03-rotation-credential-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final String prefix = CliRedis.uniquePrefix();
    private MockUpstream mock;
    private Path dataDir;

    @AfterEach
    void stop() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        CliRedis.deleteKeys(prefix);
    }

    private <T extends AutoCloseable> T keep(T c) {
        opened.add(c);
        return c;
    }

    private void setUp() throws Exception {
        dataDir = Files.createTempDirectory("relaygate-rotate");
        mock = keep(MockUpstream.start(MockOptions.defaults()));
    }

    private GatewayServer gateway(Map<String, String> env) {
        GatewayConfig base = ConfigLoader.load(null, env);
        GatewayConfig config = base.withServer(base.server().withPort(0));
        Store store = keep(StoreFactory.open(config.store(), env));
        return keep(GatewayServer.start(config, store));
    }

    private String setUpKeyAndAccount(Map<String, String> env) {
        try (Store admin = StoreFactory.open(ConfigLoader.load(null, env).store(), env)) {
            admin.accounts()
                    .create(TestAccounts.anthropic("rotated", mock.baseUrl(), CREDENTIAL))
                    .toCompletableFuture()
                    .join();
            return new ApiKeyService(admin.keys())
                    .create("rotation-" + Ids.random(4), KeyRules.NONE)
                    .toCompletableFuture()
                    .join()
                    .secret();
        }
    }

    private static int post(GatewayServer gateway, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/messages"))
                .timeout(Duration.ofSeconds(10))
                .header("x-api-key", key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RelaygateMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                "ops-test");
        assertThat(code)
                .as("relaygate %s: %s", String.join(" ", args), err.toString(StandardCharsets.UTF_8))
                .isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Sends requests to {@code gateways} in turn until {@code during} returns; every status, in order. */
    private static List<Integer> underTraffic(List<GatewayServer> gateways, String key, ThrowingRunnable during)
            throws Exception {
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread load = new Thread(() -> {
            int i = 0;
            while (!done.get()) {
                try {
                    statuses.add(post(gateways.get(i++ % gateways.size()), key));
                } catch (Exception e) {
                    statuses.add(-1);
                }
            }
        });
        load.start();
        try {
            while (statuses.size() < 5) {
                Thread.sleep(5);
            }
            during.run();
            int seen = statuses.size();
            while (statuses.size() < seen + 10) {
                Thread.sleep(5);
            }
        } finally {
            done.set(true);
            load.join();
        }
        return List.copyOf(statuses);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String credentialUnder(Map<String, String> env) {
        try (Store s = StoreFactory.open(ConfigLoader.load(null, env).store(), env)) {
            return s.accounts()
                    .findByName("rotated")
                    .toCompletableFuture()
                    .join()
                    .orElseThrow()
                    .credential();
        }
    }

    @Test
    void onTheEmbeddedStoreTheCommandMakesTheKeyAndTheRunningGatewayFollows() throws Exception {
        setUp();
        Map<String, String> env = Map.of("RELAYGATE_DATA_DIR", dataDir.toString());
        String key = setUpKeyAndAccount(env);
        GatewayServer gateway = gateway(env);
        String oldKey = Files.readString(dataDir.resolve("secret.key")).trim();

        List<String> output = new ArrayList<>();
        List<Integer> statuses = underTraffic(List.of(gateway), key, () -> output.add(cli(env, "secret", "rotate")));

        assertThat(statuses).as("no request failed during the rotation").containsOnly(200);
        assertThat(output.get(0)).startsWith("new credential key ").endsWith(": 1 account sealed under it\n");
        String newKey = Files.readString(dataDir.resolve("secret.key")).trim();
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(Files.readString(dataDir.resolve("secret.key.previous")).trim())
                .isEqualTo(oldKey);
        assertThat(credentialUnder(Map.of("RELAYGATE_DATA_DIR", dataDir.toString(), "RELAYGATE_SECRET_KEY", newKey)))
                .as("sealed under the new key alone")
                .isEqualTo(CREDENTIAL);
        assertThat(Files.readString(dataDir.resolve("accounts.json"))).doesNotContain(CREDENTIAL);
        assertThat(post(gateway, key)).as("after the rotation").isEqualTo(200);
    }

    @Test
    void onRedisTheInstancesTakeTheNewKeyInTwoRollsAndTheCommandReseals() throws Exception {
        CliRedis.requireRedis();
        setUp();
        String oldKey = java.util.Base64.getEncoder().encodeToString(Ids.randomBytes(32));
        String newKey = java.util.Base64.getEncoder().encodeToString(Ids.randomBytes(32));
        Map<String, String> common = new HashMap<>(Map.of(
                "REDIS_URL",
                CliRedis.url(),
                "RELAYGATE_REDIS_PREFIX",
                prefix,
                "RELAYGATE_DATA_DIR",
                dataDir.toString(),
                "RELAYGATE_KEY_PEPPER",
                java.util.Base64.getEncoder().encodeToString(Ids.randomBytes(32))));
        Map<String, String> before = with(common, "RELAYGATE_SECRET_KEY", oldKey);
        String key = setUpKeyAndAccount(before);
        // first roll: the new key accepted everywhere; second roll: written under, the old one accepted
        GatewayServer first = gateway(with(before, "RELAYGATE_SECRET_KEY_PREVIOUS", newKey));
        Map<String, String> after =
                with(with(common, "RELAYGATE_SECRET_KEY", newKey), "RELAYGATE_SECRET_KEY_PREVIOUS", oldKey);
        GatewayServer second = gateway(after);

        List<String> output = new ArrayList<>();
        List<Integer> statuses =
                underTraffic(List.of(first, second), key, () -> output.add(cli(after, "secret", "rotate")));

        assertThat(statuses).as("no request failed on either instance").containsOnly(200);
        assertThat(output.get(0)).startsWith("credential key ").endsWith(": 1 account sealed under it\n");
        assertThat(credentialUnder(with(common, "RELAYGATE_SECRET_KEY", newKey)))
                .as("the previous key can now be dropped")
                .isEqualTo(CREDENTIAL);
        assertThat(post(first, key)).isEqualTo(200);
        assertThat(post(second, key)).isEqualTo(200);
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> out = new HashMap<>(env);
        out.put(name, value);
        return out;
    }
}
