package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway on Redis and {@code relaygate keys disable} run against the same store (its own store, its own
 * connections, as a CLI process has): the gateway refuses the key right after the command returned, not when its
 * five-second key cache runs out, because the store published the change and the gateway dropped the cached key.
 */
class ChangePropagationIT {

    private static final Logger logger = LoggerFactory.getLogger(ChangePropagationIT.class);

    /** Rounds of create, use, disable, measured; bounded. */
    private static final int ROUNDS = 10;

    /** Longest wait for the refusal after the command returned: well under the key cache's TTL. */
    private static final Duration REFUSAL_BOUND = Duration.ofMillis(500);

    private static final String PREFIX = CliRedis.uniquePrefix();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static Path dataDir;
    private static MockUpstream mock;
    private static Store admin;
    private static Store gatewayStore;
    private static GatewayServer gateway;
    private static String accountId;

    @BeforeAll
    static void start() throws Exception {
        CliRedis.requireRedis();
        dataDir = Files.createTempDirectory("relaygate-changes");
        mock = MockUpstream.start(MockOptions.defaults());
        GatewayConfig base = ConfigLoader.load(null, env());
        GatewayConfig config = base.withServer(base.server().withPort(0));
        admin = StoreFactory.open(config.store(), env());
        accountId = "acc_" + Ids.random(10);
        admin.accounts()
                .create(TestAccounts.of(
                        accountId,
                        "mock",
                        AccountKind.ANTHROPIC_API,
                        mock.baseUrl(),
                        "sk-ant-api03-upstream-credential",
                        50,
                        List.of()))
                .toCompletableFuture()
                .join();
        gatewayStore = StoreFactory.open(config.store(), env());
        gateway = GatewayServer.start(config, gatewayStore);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (gatewayStore != null) {
            gatewayStore.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (mock != null) {
            mock.close();
        }
        CliRedis.deleteKeys(PREFIX);
    }

    private static Map<String, String> env() {
        return Map.of(
                "REDIS_URL",
                CliRedis.url(),
                "RELAYGATE_REDIS_PREFIX",
                PREFIX,
                "RELAYGATE_DATA_DIR",
                dataDir.toString());
    }

    private static int post(String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/messages"))
                .timeout(Duration.ofSeconds(10))
                .header("x-api-key", key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RelaygateMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env(),
                "ops-test");
        assertThat(code)
                .as("relaygate %s: %s", String.join(" ", args), err.toString(StandardCharsets.UTF_8))
                .isZero();
        return code;
    }

    @Test
    void aKeyDisabledWithTheCliIsRefusedByTheRunningGatewayRightAfterTheCommandReturns() throws Exception {
        List<Long> micros = new ArrayList<>();
        int refusedAtFirstTry = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String name = "changes-" + Ids.random(6);
            String secret = new ApiKeyService(admin.keys())
                    .create(name, KeyRules.NONE)
                    .toCompletableFuture()
                    .join()
                    .secret();
            assertThat(post(secret))
                    .as("the key works, and is now in the gateway's cache")
                    .isEqualTo(200);
            assertThat(post(secret)).isEqualTo(200);

            cli("keys", "disable", name);
            long acknowledged = System.nanoTime();

            int status = post(secret);
            if (status == 403) {
                refusedAtFirstTry++;
            }
            long deadline = acknowledged + REFUSAL_BOUND.toNanos();
            while (status != 403 && System.nanoTime() - deadline < 0) {
                Thread.sleep(2);
                status = post(secret);
            }
            long took = (System.nanoTime() - acknowledged) / 1000;
            assertThat(status)
                    .as(
                            "refused within %s of the command returning (the key cache's TTL is %s)",
                            REFUSAL_BOUND, ApiKeyService.DEFAULT_CACHE_TTL)
                    .isEqualTo(403);
            micros.add(took);
        }
        Collections.sort(micros);
        logger.info(
                "keys disable -> refused: {} of {} at the first request after the command returned; "
                        + "median {} us, max {} us (until the refusal arrived at the client)",
                refusedAtFirstTry,
                ROUNDS,
                micros.get(micros.size() / 2),
                micros.get(micros.size() - 1));
    }

    @Test
    void anAccountResumedOrAddedElsewhereServesTheRunningGatewaysNextRequest() throws Exception {
        String secret = new ApiKeyService(admin.keys())
                .create("accounts-" + Ids.random(6), KeyRules.NONE)
                .toCompletableFuture()
                .join()
                .secret();
        assertThat(post(secret)).isEqualTo(200);
        List<Long> micros = new ArrayList<>();
        int servedAtFirstTry = 0;
        for (int round = 0; round < ROUNDS / 2; round++) {
            takeOut(secret);
            cli("accounts", "resume", "mock");
            long acknowledged = System.nanoTime();
            int status = post(secret);
            servedAtFirstTry += status == 200 ? 1 : 0;
            while (status != 200 && System.nanoTime() - acknowledged < REFUSAL_BOUND.toNanos()) {
                Thread.sleep(2);
                status = post(secret);
            }
            assertThat(status)
                    .as("served within %s of the resume (the conditions view is kept 1 s)", REFUSAL_BOUND)
                    .isEqualTo(200);
            micros.add((System.nanoTime() - acknowledged) / 1000);
        }
        // An account added by another process while the only one is out: the account list is kept 1 s too.
        takeOut(secret);
        admin.accounts()
                .create(new Account(
                        "acc_" + Ids.random(10),
                        "mock-added",
                        AccountKind.ANTHROPIC_API,
                        mock.baseUrl(),
                        "sk-ant-api03-upstream-credential",
                        null,
                        50,
                        true,
                        null,
                        List.of(),
                        Map.of(),
                        Instant.now(),
                        null,
                        Map.of()))
                .toCompletableFuture()
                .join();
        long added = System.nanoTime();
        int status = post(secret);
        while (status != 200 && System.nanoTime() - added < REFUSAL_BOUND.toNanos()) {
            Thread.sleep(2);
            status = post(secret);
        }
        assertThat(status)
                .as("the added account serves within %s", REFUSAL_BOUND)
                .isEqualTo(200);
        long addedMicros = (System.nanoTime() - added) / 1000;
        admin.state().clearCondition(accountId).toCompletableFuture().join();
        Collections.sort(micros);
        logger.info(
                "accounts resume -> served: {} of {} at the first request after the command returned; median {} us,"
                        + " max {} us; account added -> served after {} us",
                servedAtFirstTry,
                micros.size(),
                micros.get(micros.size() / 2),
                micros.get(micros.size() - 1),
                addedMicros);
    }

    /** Puts the account out of rotation from this process, as another instance would, and waits for the refusal. */
    private static void takeOut(String secret) throws Exception {
        admin.state()
                .setCondition(
                        accountId,
                        new AccountCondition(
                                AccountCondition.State.UNAUTHORIZED, "credentials refused (test)", Instant.now(), null))
                .toCompletableFuture()
                .join();
        long deadline = System.nanoTime() + REFUSAL_BOUND.toNanos();
        int status = post(secret);
        while (status == 200 && System.nanoTime() < deadline) {
            Thread.sleep(2);
            status = post(secret);
        }
        assertThat(status).as("the running gateway took the account out").isEqualTo(503);
    }
}
