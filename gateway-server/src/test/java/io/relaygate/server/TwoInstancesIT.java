package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.pipeline.ErrorResponder;
import java.io.InputStream;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances, each with its own Redis connection, on one Redis (one key prefix): they share the
 * concurrency limit of a key, sticky sessions, account cool-downs, upstream quota readings and usage, as instances
 * behind nginx do.
 */
class TwoInstancesIT {

    private static final String PREFIX = CliRedis.uniquePrefix();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static Path dataDir;
    private static MockUpstream mock;
    private static Store admin;
    private static final List<Store> stores = new ArrayList<>();
    private static GatewayServer one;
    private static GatewayServer two;
    private static final LinkedBlockingQueue<ExchangeOutcome> outcomes = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        CliRedis.requireRedis();
        dataDir = Files.createTempDirectory("relaygate-two");
        mock = MockUpstream.start(MockOptions.defaults());
        GatewayConfig base = ConfigLoader.load(null, Map.of());
        // both instances use the same data folder only for the credential key file, as two hosts would share
        // RELAYGATE_SECRET_KEY
        GatewayConfig config = base.withServer(base.server().withPort(0))
                .withStore(new StoreConfig(StoreConfig.REDIS, dataDir, CliRedis.url(), PREFIX));
        admin = StoreFactory.open(config.store(), Map.of());
        account("base", GatewayHarness.UPSTREAM_KEY, 50, List.of());
        one = instance(config);
        two = instance(config);
    }

    private static GatewayServer instance(GatewayConfig config) {
        Store store = StoreFactory.open(config.store(), Map.of());
        stores.add(store);
        return GatewayServer.builder(config, store)
                .exchangeListener(outcomes::add)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        one.close();
        two.close();
        stores.forEach(Store::close);
        admin.close();
        mock.close();
        CliRedis.deleteKeys(PREFIX);
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    private static Account account(String name, String credential, int priority, List<String> models) {
        return account(name, mock.baseUrl(), credential, priority, models);
    }

    private static Account account(String name, String baseUrl, String credential, int priority, List<String> models) {
        Account a = TestAccounts.of(
                "acc_" + Ids.random(10), name, AccountKind.ANTHROPIC_API, baseUrl, credential, priority, models);
        return admin.accounts().create(a).toCompletableFuture().join();
    }

    private static String key(KeyRules rules) {
        return new ApiKeyService(admin.keys())
                .create("two-" + Ids.random(6), rules)
                .toCompletableFuture()
                .join()
                .secret();
    }

    private static HttpRequest request(GatewayServer gw, String key, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1/messages"))
                .timeout(Duration.ofSeconds(20))
                .header("x-api-key", key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }

    private static HttpResponse<byte[]> post(GatewayServer gw, String key, String body, String... headers)
            throws Exception {
        return HTTP.send(request(gw, key, body, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static ExchangeOutcome outcomeOf(HttpResponse<?> r) throws InterruptedException {
        String id = r.headers().firstValue(ErrorResponder.REQUEST_ID_HEADER).orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ExchangeOutcome o = outcomes.poll(100, TimeUnit.MILLISECONDS);
            if (o != null && o.requestId().equals(id)) {
                return o;
            }
        }
        throw new AssertionError("no outcome for " + id);
    }

    @Test
    void theConcurrencyLimitOfAKeyHoldsAcrossBothInstances() throws Exception {
        String key = key(new KeyRules(
                1, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, null));
        CompletableFuture<HttpResponse<InputStream>> stream = HTTP.sendAsync(
                request(one, key, messages("claude-sonnet-4-5", true, "mock:slow")),
                HttpResponse.BodyHandlers.ofInputStream());
        mock.awaitExchange(0, Duration.ofSeconds(10));

        HttpResponse<byte[]> elsewhere = post(two, key, messages("claude-sonnet-4-5", false, "meanwhile"));

        assertThat(elsewhere.statusCode()).isEqualTo(429);
        assertThat(new String(elsewhere.body(), StandardCharsets.UTF_8))
                .contains("concurrency limit of this key reached: 1 of 1");
        try (InputStream in = stream.get(20, TimeUnit.SECONDS).body()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("message_stop");
        }
        // The lease goes back over instance one's Redis connection without holding the stream's end up, so the next
        // request on instance two may still see it for a moment: the slot must come free, not at once.
        int status = 0;
        for (int i = 0; i < 100 && status != 200; i++) {
            status = post(two, key, messages("claude-sonnet-4-5", false, "after"))
                    .statusCode();
            if (status != 200) {
                Thread.sleep(20);
            }
        }
        assertThat(status).as("the slot is free again once the stream ended").isEqualTo(200);
    }

    @Test
    void aSessionStuckOnOneInstanceStaysOnItsAccountOnTheOther() throws Exception {
        // "wide" serves every model; "preferred" only sonnet, at a better priority: without stickiness a sonnet
        // request goes to "preferred"
        account("preferred", GatewayHarness.UPSTREAM_KEY, 10, List.of("claude-sonnet-4-5"));
        account("wide", GatewayHarness.UPSTREAM_KEY, 20, List.of());
        String key = key(KeyRules.NONE);
        String session = "x-claude-code-session-id";
        Thread.sleep(1100); // the new accounts reach both instances' account lists

        HttpResponse<byte[]> opus = post(one, key, messages("claude-opus-4-1", false, "turn 1"), session, "s-two");
        assertThat(outcomeOf(opus).account()).isEqualTo("wide");
        HttpResponse<byte[]> plain = post(two, key, messages("claude-sonnet-4-5", false, "no session"));
        assertThat(outcomeOf(plain).account()).isEqualTo("preferred");

        HttpResponse<byte[]> sonnet = post(two, key, messages("claude-sonnet-4-5", false, "turn 2"), session, "s-two");

        assertThat(outcomeOf(sonnet).account())
                .as("stuck on instance one, honoured by two")
                .isEqualTo("wide");
    }

    @Test
    void aCoolDownLearnedByOneInstanceSparesTheOther() throws Exception {
        account("limited-shared", "mock-error-429", 1, List.of("claude-haiku-4-5"));
        account("fallback", GatewayHarness.UPSTREAM_KEY, 2, List.of("claude-haiku-4-5"));
        String key = key(KeyRules.NONE);
        Thread.sleep(1100);

        HttpResponse<byte[]> first = post(one, key, messages("claude-haiku-4-5", false, "hi"));
        assertThat(outcomeOf(first).account()).isEqualTo("fallback");
        assertThat(mock.exchanges()).hasSize(2);
        Thread.sleep(1100); // instance two rereads account conditions once a second

        mock.reset();
        HttpResponse<byte[]> second = post(two, key, messages("claude-haiku-4-5", false, "hi"));

        assertThat(outcomeOf(second).account()).isEqualTo("fallback");
        assertThat(mock.exchanges())
                .as("instance two did not try the rate-limited account")
                .hasSize(1);
    }

    @Test
    void aQuotaOneInstanceSawSteersTheOther() throws Exception {
        // a model only these two accounts serve, at a priority of their own; "q-busy" reports 95% of its requests used
        String model = "claude-quota-probe";
        try (MockUpstream busyUpstream = MockUpstream.start(MockOptions.defaults()
                .withRateLimit("ratelimit-requests-remaining", "500")
                .withRateLimit(
                        "ratelimit-requests-reset",
                        Instant.now()
                                .plus(Duration.ofHours(1))
                                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                                .toString()))) {
            account("q-busy", busyUpstream.baseUrl(), GatewayHarness.UPSTREAM_KEY, 0, List.of(model));
            account("q-free", GatewayHarness.UPSTREAM_KEY, 0, List.of(model));
            String key = key(KeyRules.NONE);
            Thread.sleep(1100); // the new accounts reach both instances' account lists

            assertThat(outcomeOf(post(one, key, messages(model, false, "first")))
                            .account())
                    .as("nothing known yet: by name")
                    .isEqualTo("q-busy");
            Thread.sleep(1100); // instance two rereads account states and quotas once a second

            List<String> answeredBy = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answeredBy.add(outcomeOf(post(two, key, messages(model, false, "then " + i)))
                        .account());
            }

            assertThat(answeredBy)
                    .as("instance two knows q-busy is nearly spent although it never used it")
                    .containsExactly("q-free", "q-free", "q-free");
        }
    }

    @Test
    void usageFromBothInstancesAddsUpInRedis() throws Exception {
        String key = key(KeyRules.NONE);
        String keyId = key.split("_")[1];
        long input = 0;
        for (int i = 0; i < 3; i++) {
            input += outcomeOf(post(one, key, messages("claude-sonnet-4-5", false, "a" + i)))
                    .usage()
                    .inputTokens();
            input += outcomeOf(post(two, key, messages("claude-sonnet-4-5", true, "b" + i)))
                    .usage()
                    .inputTokens();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        UsageRow row = null;
        while (System.nanoTime() < deadline) {
            row = admin.state().usage(UsageScope.KEY, Period.TOTAL, Instant.now()).toCompletableFuture().get().stream()
                    .filter(r -> r.id().equals(keyId))
                    .findFirst()
                    .orElse(null);
            if (row != null && row.counters().requests() == 6) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(row).isNotNull();
        assertThat(row.counters().requests()).isEqualTo(6);
        assertThat(row.counters().inputTokens()).isEqualTo(input);
        assertThat(row.counters().costMicros()).isPositive();
    }
}
