package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.CreatedKey;
import io.relaygate.accounts.Store;
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
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.pipeline.ErrorResponder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real gateway on an ephemeral loopback port, on the embedded store in a temp folder, in front of the project's mock
 * upstream, with one key and one {@code anthropic-api} account. Tests talk to it over real sockets.
 */
final class GatewayHarness implements AutoCloseable {

    static final String UPSTREAM_KEY = "sk-ant-upstream-test-credential";
    static final Duration WAIT = Duration.ofSeconds(10);

    final Path dataDir;
    final Store store;
    final MockUpstream mock;
    final GatewayServer server;
    final String key;
    final LinkedBlockingQueue<ExchangeOutcome> outcomes = new LinkedBlockingQueue<>();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private GatewayHarness(Builder b) throws IOException {
        dataDir = Files.createTempDirectory("relaygate-it");
        mock = MockUpstream.start(b.mockOptions);
        GatewayConfig base = ConfigLoader.load(null, Map.of());
        // Cool-downs are tested on their own (SchedulingIT); elsewhere a 429 or 529 from the mock must not take the
        // account out for the tests after it.
        GatewayConfig config = b.config.apply(base.withServer(base.server().withPort(0))
                .withStore(new StoreConfig(StoreConfig.LOCAL, dataDir, null, StoreConfig.DEFAULT_KEY_PREFIX))
                .withScheduling(base.scheduling().withCoolDowns(Duration.ofMillis(1), Duration.ofMillis(1))));
        store = StoreFactory.open(config.store(), Map.of());
        CreatedKey created = new ApiKeyService(store.keys())
                .create("it-" + Ids.random(6), KeyRules.NONE)
                .toCompletableFuture()
                .join();
        key = created.secret();
        SuiteSecretScan.secret(key);
        SuiteSecretScan.secret(UPSTREAM_KEY);
        addAccount(
                "mock-anthropic",
                AccountKind.ANTHROPIC_API,
                b.upstreamBaseUrl == null ? mock.baseUrl() : b.upstreamBaseUrl,
                UPSTREAM_KEY,
                Account.DEFAULT_PRIORITY);
        GatewayServer.Builder sb = GatewayServer.builder(config, store)
                .exchangeListener(outcomes::add)
                .accountViewTtl(Duration.ZERO)
                .clock(b.clock);
        if (b.allocator != null) {
            sb.allocator(b.allocator);
        }
        if (b.accessTokenTtl != null) {
            sb.accessTokenTtl(b.accessTokenTtl);
        }
        if (b.sso != null) {
            sb.sso(b.sso);
        }
        server = sb.start();
    }

    static Builder builder() {
        return new Builder();
    }

    static GatewayHarness start() throws IOException {
        return builder().start();
    }

    Account addAccount(String name, AccountKind kind, String baseUrl, String credential, int priority) {
        SuiteSecretScan.secret(credential);
        Account a = TestAccounts.of("acc_" + Ids.random(10), name, kind, baseUrl, credential, priority, List.of());
        return store.accounts().create(a).toCompletableFuture().join();
    }

    /** Forgets earlier requests: the mock's recordings and scenarios, and the accounts' conditions. */
    void reset() {
        mock.reset();
        clearAccountConditions();
    }

    /** Puts every account back into rotation (after a test made the mock answer 401 or 403). */
    void clearAccountConditions() {
        for (Account a : store.accounts().list().toCompletableFuture().join()) {
            store.state().clearCondition(a.id()).toCompletableFuture().join();
        }
    }

    /** A new gateway key with {@code rules}; returns its secret. */
    String keyWith(KeyRules rules) {
        String secret = new ApiKeyService(store.keys())
                .create("it-" + Ids.random(6), rules)
                .toCompletableFuture()
                .join()
                .secret();
        SuiteSecretScan.secret(secret);
        return secret;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpResponse<byte[]> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        boolean auth = false;
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
            auth |= headers[i].equalsIgnoreCase("x-api-key") || headers[i].equalsIgnoreCase("authorization");
        }
        if (!auth) {
            r.header("x-api-key", key);
        }
        if (!List.of(headers).contains("content-type")) {
            r.header("content-type", "application/json");
        }
        return recorded(http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** Hands a response to the suite's secret scan. */
    static HttpResponse<byte[]> recorded(HttpResponse<byte[]> r) {
        SuiteSecretScan.response(r.statusCode() + " " + r.headers().map() + " "
                + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        return r;
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(WAIT)
                .GET();
        boolean auth = false;
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
            auth |= headers[i].equalsIgnoreCase("x-api-key") || headers[i].equalsIgnoreCase("authorization");
        }
        if (!auth) {
            r.header("x-api-key", key);
        }
        return recorded(http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** The outcome of the exchange that answered {@code response} (matched by its request id). */
    ExchangeOutcome outcomeOf(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers()
                .firstValue(ErrorResponder.REQUEST_ID_HEADER)
                .orElseThrow(() -> new AssertionError("response without " + ErrorResponder.REQUEST_ID_HEADER));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ExchangeOutcome o = outcomes.poll(100, TimeUnit.MILLISECONDS);
            if (o != null && o.requestId().equals(id)) {
                return o;
            }
        }
        throw new AssertionError("no exchange outcome for request " + id);
    }

    ExchangeOutcome nextOutcome() throws InterruptedException {
        ExchangeOutcome o = outcomes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(o).as("an exchange outcome was reported").isNotNull();
        return o;
    }

    /**
     * The next outcome of an exchange {@code accountId} served, passing over outcomes of exchanges an earlier test
     * left (an outcome is reported as its exchange ends, which may be after that test's own checks).
     */
    ExchangeOutcome nextOutcomeOf(String accountId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ExchangeOutcome o = outcomes.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(o)
                    .as("an exchange outcome of account %s was reported", accountId)
                    .isNotNull();
            if (accountId.equals(o.accountId())) {
                return o;
            }
        }
    }

    /** A minimal Anthropic Messages request body. */
    static String messages(String model, boolean stream, String text) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":256,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Override
    public void close() throws IOException {
        server.close();
        mock.close();
        store.close();
        try (Stream<Path> s = Files.walk(dataDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static final class Builder {
        private MockOptions mockOptions = MockOptions.defaults();
        private UnaryOperator<GatewayConfig> config = UnaryOperator.identity();
        private @org.jspecify.annotations.Nullable ByteBufAllocator allocator;
        private @org.jspecify.annotations.Nullable Duration accessTokenTtl;
        private @org.jspecify.annotations.Nullable String upstreamBaseUrl;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private io.relaygate.server.signin.@org.jspecify.annotations.Nullable SsoSettings sso;

        /** Single sign-on on the approval page. */
        Builder sso(io.relaygate.server.signin.SsoSettings value) {
            sso = value;
            return this;
        }

        /** The gateway's clock (limits, windows, cool-downs); tests move a fake one. */
        Builder clock(java.time.Clock value) {
            clock = value;
            return this;
        }

        Builder mock(MockOptions value) {
            mockOptions = value;
            return this;
        }

        /** Adds a change to the gateway's config (changes apply in the order given). */
        Builder config(UnaryOperator<GatewayConfig> value) {
            UnaryOperator<GatewayConfig> previous = config;
            config = c -> value.apply(previous.apply(c));
            return this;
        }

        Builder upstreamTimeouts(Duration connect, Duration response, Duration idle) {
            return config(c -> c.withUpstream(c.upstream().withTimeouts(connect, response, idle)));
        }

        /** Points the harness's account somewhere else than the mock (e.g. a closed port). */
        Builder upstreamBaseUrl(String value) {
            upstreamBaseUrl = value;
            return this;
        }

        Builder allocator(ByteBufAllocator value) {
            allocator = value;
            return this;
        }

        /** How long signed-in access tokens last (to see Claude Code refresh them). */
        Builder accessTokenTtl(Duration value) {
            accessTokenTtl = value;
            return this;
        }

        GatewayHarness start() throws IOException {
            return new GatewayHarness(this);
        }
    }
}
