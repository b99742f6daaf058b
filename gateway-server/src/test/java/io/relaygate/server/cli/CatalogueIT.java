package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.CreatedKey;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.PriceBasis;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.server.GatewayServer;
import io.relaygate.server.TestAccounts;
import io.relaygate.server.exchange.ExchangeOutcome;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model catalogue end to end, on the embedded store and on Redis: a Claude Code request for a model the catalogue
 * does not have is charged at an estimate (never $0) and a key with a daily cost limit is refused once it is spent;
 * {@code relaygate catalogue update} (its own store, as a separate CLI process has) changes the price a running
 * gateway charges, without a restart; {@code relaygate signatures update} makes a running gateway recognise a Claude
 * Code prompt variant it took for a look-alike before.
 */
class CatalogueIT {

    private static final Logger logger = LoggerFactory.getLogger(CatalogueIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Headers the JDK client sets itself. */
    private static final Set<String> NOT_SETTABLE = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final LinkedBlockingQueue<ExchangeOutcome> outcomes = new LinkedBlockingQueue<>();
    private final String prefix = CliRedis.uniquePrefix();
    private Map<String, String> env = Map.of();
    private Path dataDir;
    private MockUpstream mock;
    private Store admin;
    private Store gatewayStore;
    private GatewayServer gateway;

    private void start(String backend) throws Exception {
        dataDir = Files.createTempDirectory("relaygate-catalogue");
        Map<String, String> e = new HashMap<>();
        e.put("RELAYGATE_DATA_DIR", dataDir.toString());
        if (backend.equals("redis")) {
            CliRedis.requireRedis();
            e.put("REDIS_URL", CliRedis.url());
            e.put("RELAYGATE_REDIS_PREFIX", prefix);
        }
        env = Map.copyOf(e);
        mock = MockUpstream.start(MockOptions.defaults());
        GatewayConfig base = ConfigLoader.load(null, env);
        GatewayConfig config = base.withServer(base.server().withPort(0));
        admin = StoreFactory.open(config.store(), env);
        admin.accounts()
                .create(TestAccounts.anthropic("mock", mock.baseUrl(), "sk-ant-api03-upstream-credential"))
                .toCompletableFuture()
                .join();
        gatewayStore = StoreFactory.open(config.store(), env);
        gateway = GatewayServer.builder(config, gatewayStore)
                .exchangeListener(outcomes::add)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
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
        if (env.containsKey("REDIS_URL")) {
            CliRedis.deleteKeys(prefix);
        }
    }

    private String key(KeyRules rules) {
        return createKey(rules).secret();
    }

    private CreatedKey createKey(KeyRules rules) {
        return new ApiKeyService(admin.keys())
                .create("cat-" + Ids.random(6), rules)
                .toCompletableFuture()
                .join();
    }

    /**
     * Waits until the key's cost today, where admission reads it, is {@code cost}. On a one-server Redis a request's
     * spend rides its event loop's next admission, up to 5 ms later (docs/limits-and-usage.md, "Group commit"); a
     * next request on another connection, served by another loop, may come before that.
     */
    private void awaitCounted(String keyId, long cost) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long counted = -1;
        while (System.nanoTime() < deadline) {
            counted = gatewayStore
                    .state()
                    .usageOf(UsageScope.KEY, keyId, Period.DAY, List.of(Instant.now()))
                    .toCompletableFuture()
                    .join()
                    .get(0)
                    .costMicros();
            if (counted == cost) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the key's cost today is " + counted + " µ$, expected " + cost);
    }

    /** Claude Code 2.1.330's captured default-model request, its model renamed, sent with {@code key}. */
    private HttpResponse<byte[]> claudeCode(String key, String model) throws Exception {
        return claudeCode(key, model, text -> text);
    }

    private HttpResponse<byte[]> claudeCode(String key, String model, java.util.function.UnaryOperator<String> edit)
            throws Exception {
        JsonNode request = JSON.readTree(clientsDir()
                        .resolve("claude-code-2.1.330_print_stream_apikey.json")
                        .toFile())
                .path("request");
        ObjectNode body = (ObjectNode) request.path("body");
        assertThat(body.path("model").asText())
                .as("the capture is of the default model")
                .isEqualTo("claude-opus-5-5");
        body.put("model", model);
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                        + request.path("raw_path").asText()))
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(edit.apply(JSON.writeValueAsString(body))));
        for (JsonNode h : request.path("headers")) {
            String name = h.get(0).asText();
            String lower = name.toLowerCase(Locale.ROOT);
            if (NOT_SETTABLE.contains(lower)) {
                continue;
            }
            r.header(name, lower.equals("x-api-key") ? key : h.get(1).asText());
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private ExchangeOutcome outcome(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("x-relaygate-request-id").orElseThrow();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ExchangeOutcome o = outcomes.poll(100, TimeUnit.MILLISECONDS);
            if (o != null && o.requestId().equals(id)) {
                return o;
            }
        }
        throw new AssertionError("no outcome for " + id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "redis"})
    void anUncataloguedClaudeCodeModelIsChargedAtAnEstimateAndACostLimitedKeyIsRefusedOnceSpent(String backend)
            throws Exception {
        start(backend);
        CreatedKey created = createKey(new KeyRules(
                null, null, null, null, null, 0.0001, null, null, List.of(), List.of(), Set.of(), null, null, null));
        String key = created.secret();

        HttpResponse<byte[]> first = claudeCode(key, "claude-opus-9-9");

        assertThat(first.statusCode())
                .as(new String(first.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        ExchangeOutcome o = outcome(first);
        assertThat(o.pricing()).isEqualTo(PriceBasis.ESTIMATED);
        assertThat(o.pricedAs()).as("same family and tier, newest").isEqualTo("claude-opus-5-5");
        assertThat(o.usage().totalTokens()).isPositive();
        assertThat(o.costMicros())
                .as("charged at claude-opus-5-5's price, not $0")
                .isPositive()
                .isEqualTo(Catalogue.shipped().quote("claude-opus-5-5").costMicros(o.usage()));
        awaitCounted(created.key().id(), o.costMicros());

        HttpResponse<byte[]> second = claudeCode(key, "claude-opus-9-9");

        String text = new String(second.body(), StandardCharsets.UTF_8);
        assertThat(second.statusCode()).as(text).isEqualTo(429);
        assertThat(JSON.readTree(second.body()).path("error").path("message").asText())
                .startsWith("daily cost limit of this key reached: $");
        assertThat(mock.exchanges())
                .as("the refused request never reached the upstream")
                .hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "redis"})
    void aCatalogueUpdateThroughTheCliChangesTheRunningGatewaysPrice(String backend) throws Exception {
        start(backend);
        String key = key(KeyRules.NONE);
        HttpResponse<byte[]> before = claudeCode(key, "claude-opus-5-5");
        ExchangeOutcome o = outcome(before);
        assertThat(o.pricing()).isEqualTo(PriceBasis.EXACT);
        long shippedCost = o.costMicros();
        Path file = dataDir.resolve("new-catalogue.yaml");
        Files.writeString(file, """
                as_of: '2026-12-07'
                tier_sizes: {opus: big}
                models:
                  claude-opus-5-5: {vendor: anthropic, family: claude, tier: opus, input: 1000, output: 1000}
                """);

        String out = cli("catalogue", "update", "--file", file.toString());
        long start = System.nanoTime();

        assertThat(out).contains("Catalogue updated: 1 models as of 2026-12-07");
        long deadline = System.nanoTime() + WAIT.toNanos();
        ExchangeOutcome after;
        int requests = 0;
        do {
            requests++;
            after = outcome(claudeCode(key, "claude-opus-5-5"));
            if (after.costMicros() == 1000L * after.usage().totalTokens()) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        logger.info(
                "{}: the running gateway charged the updated price {} ms after the command returned ({} requests)",
                backend,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                requests);
        assertThat(after.costMicros())
                .as("the new price, $1000 per million tokens of every kind")
                .isEqualTo(1000L * after.usage().totalTokens())
                .isNotEqualTo(shippedCost);
        assertThat(cli("catalogue", "list", "--model", "opus"))
                .contains("as of 2026-12-07 (store)")
                .contains("claude-opus-5-5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "redis"})
    void aNewClaudeCodePromptIsIdentifiedAfterASignaturesUpdateWithoutARestart(String backend) throws Exception {
        start(backend);
        String key = key(KeyRules.NONE);
        String shippedPrompt = "You are a Claude agent, built on Anthropic's Claude Agent SDK";
        String newPrompt = "You are Claude Code Next, the agentic CLI by Anthropic";
        java.util.function.UnaryOperator<String> variant = text -> {
            assertThat(text).as("the capture carries the -p prompt").contains(shippedPrompt);
            return text.replace(shippedPrompt, newPrompt);
        };
        assertThat(outcome(claudeCode(key, "claude-opus-5-5")).client())
                .as("the capture as it is")
                .isEqualTo(ClientKind.CLAUDE_CODE);
        assertThat(outcome(claudeCode(key, "claude-opus-5-5", variant)).client())
                .as("a prompt the shipped signatures do not know: a look-alike")
                .isEqualTo(ClientKind.OTHER);
        JsonNode current = JSON.readTree(cli("signatures", "list", "--json"));
        ObjectNode updated = current.deepCopy();
        updated.remove("origin");
        updated.put("as_of", "2026-12-07");
        ((ObjectNode) updated.path("claude_code").path("prompts")).put("next", newPrompt);
        Path file = dataDir.resolve("signatures.update.json");
        Files.writeString(file, JSON.writeValueAsString(updated));

        assertThat(cli("signatures", "update", "--file", file.toString())).contains("Signatures updated");
        long start = System.nanoTime();

        ExchangeOutcome after;
        int requests = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            requests++;
            after = outcome(claudeCode(key, "claude-opus-5-5", variant));
            if (after.client() == ClientKind.CLAUDE_CODE) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        logger.info(
                "{}: the new prompt was identified {} ms after the command returned ({} requests)",
                backend,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                requests);
        assertThat(after.client()).as("identified by the updated signatures").isEqualTo(ClientKind.CLAUDE_CODE);
        assertThat(after.clientVersion()).isEqualTo("2.1.330");
        assertThat(cli("signatures", "list")).contains("(store)").contains("prompt next:");
    }

    private String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RelaygateMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                "ops-test");
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Path clientsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata/clients");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/clients not found");
    }
}
