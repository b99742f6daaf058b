package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.core.AccountKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.cli.RedisKeys;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} after real traffic through the real server on the real Redis: a success, a stream, a limit
 * refusal and a failover (the mock's error-529 scenario) move the counters by exactly what the exchanges did, and
 * every metric the Grafana dashboard in deploy/ queries exists.
 */
class MetricsIT {

    private static final String MODEL = "claude-sonnet-4-5";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();

    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.builder()
                // the mock's request window resets a second after each answer by default: a live window for the
                // headroom gauge needs a later reset (a window past its reset is not shown)
                .mock(MockOptions.defaults()
                        .withRateLimit(
                                "ratelimit-requests-reset",
                                Instant.now()
                                        .plus(Duration.ofHours(1))
                                        .truncatedTo(ChronoUnit.SECONDS)
                                        .toString()))
                .config(c -> c.withStore(redis.store(c.store().dataDir()))
                        // a 529 takes the account out for a minute: its state shows on /metrics
                        .withScheduling(c.scheduling().withCoolDowns(Duration.ofMillis(1), Duration.ofMinutes(1)))
                        // one key gets its own series, the next is summed under "other"
                        .withMetrics(c.metrics().withPerKey(true, 1)))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private Scrape scrape() throws Exception {
        HttpResponse<byte[]> r = gw.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        return new Scrape(new String(r.body(), StandardCharsets.UTF_8));
    }

    private ExchangeOutcome ok(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return gw.outcomeOf(r);
    }

    @Test
    void trafficMovesTheCountersByExactlyWhatTheExchangesDid() throws Exception {
        List<ExchangeOutcome> served = new ArrayList<>();
        served.add(ok(gw.post("/v1/messages", messages(MODEL, false, "hello"))));
        HttpResponse<byte[]> stream = gw.post("/v1/messages", messages(MODEL, true, "stream please"));
        served.add(ok(stream));
        assertThat(new String(stream.body(), StandardCharsets.UTF_8)).contains("event: message_stop");

        String limited = gw.keyWith(new KeyRules(
                null,
                1L,
                Duration.ofMinutes(1),
                null,
                null,
                null,
                null,
                null,
                List.of(),
                List.of(),
                Set.of(),
                null,
                null,
                null));
        served.add(ok(gw.post("/v1/messages", messages(MODEL, false, "one"), "x-api-key", limited)));
        HttpResponse<byte[]> refused = gw.post("/v1/messages", messages(MODEL, false, "two"), "x-api-key", limited);
        assertThat(refused.statusCode()).isEqualTo(429);
        ExchangeOutcome refusal = gw.outcomeOf(refused);

        // tried first (priority 10 before 50), answers 529, the request moves on to mock-anthropic
        gw.addAccount("overloaded", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-529", 10);
        ExchangeOutcome failedOver = ok(gw.post("/v1/messages", messages(MODEL, false, "failover")));
        assertThat(failedOver.attempts()).isEqualTo(2);
        served.add(failedOver);

        Scrape m = scrape();
        String route = "messages";
        assertThat(m.sum(
                        "relaygate_requests_total",
                        "route",
                        route,
                        "client",
                        "other",
                        "status",
                        "2xx",
                        "error",
                        "none"))
                .as("success, stream, the limited key's first, the failover")
                .isEqualTo(4);
        assertThat(m.sum("relaygate_requests_total", "status", "4xx", "error", "rate_limit"))
                .as("the limit refusal")
                .isEqualTo(1);
        assertThat(m.sum("relaygate_requests_total")).isEqualTo(5);
        assertThat(m.sum("relaygate_request_duration_seconds_count", "route", route))
                .isEqualTo(5);
        assertThat(m.sum("relaygate_request_ttfb_seconds_count", "route", route))
                .as("the refusal sent no first byte of an answer")
                .isEqualTo(4);
        assertThat(m.sum("relaygate_requests_active")).isZero();
        assertThat(m.sum("relaygate_streams_open")).isZero();

        assertThat(m.sum("relaygate_upstream_attempts_total", "account", "mock-anthropic"))
                .isEqualTo(4);
        assertThat(m.sum("relaygate_upstream_attempts_total", "account", "overloaded"))
                .isEqualTo(1);
        assertThat(m.sum("relaygate_upstream_failovers_total", "account", "overloaded"))
                .isEqualTo(1);
        assertThat(m.sum("relaygate_upstream_failovers_total", "account", "mock-anthropic"))
                .isZero();
        assertThat(m.sum("relaygate_upstream_errors_total", "account", "overloaded", "failure", "overloaded"))
                .isEqualTo(1);
        assertThat(m.sum("relaygate_upstream_errors_total")).isEqualTo(1);

        assertThat(m.sum("relaygate_account_state", "account", "overloaded", "state", "overloaded"))
                .isEqualTo(1);
        assertThat(m.sum("relaygate_account_state", "account", "overloaded")).isEqualTo(1);
        assertThat(m.sum("relaygate_account_state", "account", "mock-anthropic", "state", "active"))
                .isEqualTo(1);
        assertThat(m.has("relaygate_account_quota_headroom", "account", "mock-anthropic", "window", "requests"))
                .as("the mock sends Anthropic's rate-limit headers")
                .isTrue();
        assertThat(m.sum("relaygate_account_quota_headroom", "account", "mock-anthropic", "window", "requests"))
                .isBetween(0.0, 1.0);

        String model = failedOver.upstreamModel();
        long input = served.stream().mapToLong(o -> o.usage().inputTokens()).sum();
        long output = served.stream().mapToLong(o -> o.usage().outputTokens()).sum();
        long costMicros = served.stream().mapToLong(ExchangeOutcome::costMicros).sum();
        assertThat(input).isPositive();
        assertThat(m.sum("relaygate_tokens_total", "model", model, "type", "input"))
                .isEqualTo(input);
        assertThat(m.sum("relaygate_tokens_total", "model", model, "type", "output"))
                .isEqualTo(output);
        assertThat(m.sum("relaygate_cost_usd_total", "model", model)).isCloseTo(costMicros / 1e6, within(1e-9));

        String firstKey = served.get(0).keyName();
        assertThat(m.sum("relaygate_key_requests_total", "key", firstKey))
                .as("the first key seen has its own series")
                .isEqualTo(3);
        assertThat(m.sum("relaygate_key_requests_total", "key", "other"))
                .as("past metrics.maxKeys, the limited key is summed under other")
                .isEqualTo(2);
        assertThat(m.has("relaygate_key_requests_total", "key", refusal.keyName()))
                .isFalse();

        assertThat(m.sum("relaygate_redis_command_duration_seconds_count"))
                .as("the store's Redis commands are timed")
                .isPositive();
        assertThat(m.sum("relaygate_usage_records_buffered")).isZero();
        assertThat(m.sum("relaygate_ready")).isEqualTo(1);
        assertThat(m.has("relaygate_netty_allocator_used_bytes", "type", "direct"))
                .isTrue();
        assertThat(m.has("jvm_memory_used_bytes")).isTrue();
    }

    @Test
    void aStreamIsCountedOpenAndActiveWhileItRunsAndNotAfter() throws Exception {
        // the mock's slow scenario sends one event a second: the stream is open while the test scrapes
        HttpRequest request = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/messages"))
                .timeout(GatewayHarness.WAIT)
                .header("x-api-key", gw.key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(messages(MODEL, true, "mock:slow")))
                .build();
        HttpResponse<InputStream> r = gw.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(body.read()).as("the stream has begun").isNotNegative();
            Scrape during = scrape();
            assertThat(during.sum("relaygate_streams_open")).isEqualTo(1);
            assertThat(during.sum("relaygate_requests_active")).isEqualTo(1);
            assertThat(during.sum("relaygate_requests_total"))
                    .as("not finished yet")
                    .isZero();
        }
        ExchangeOutcome o = gw.nextOutcome();
        assertThat(o.stream()).isTrue();
        Scrape after = scrape();
        assertThat(after.sum("relaygate_streams_open")).isZero();
        assertThat(after.sum("relaygate_requests_active")).isZero();
        assertThat(after.sum("relaygate_requests_total")).isEqualTo(1);
    }

    @Test
    void everyMetricTheDashboardQueriesExistsAfterTraffic() throws Exception {
        ok(gw.post("/v1/messages", messages(MODEL, false, "hello")));
        ok(gw.post("/v1/messages", messages(MODEL, true, "stream")));
        gw.addAccount("overloaded", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-529", 10);
        ok(gw.post("/v1/messages", messages(MODEL, false, "failover")));
        Set<String> exposed = scrape().names();

        JsonNode dashboard = JSON.readTree(Files.readString(Path.of("..", "deploy", "grafana-relaygate.json")));
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:relaygate|jvm|process)_[a-z_]+)\\b");
        dashboard.findValues("expr").forEach(expr -> {
            Matcher mm = metric.matcher(expr.asText());
            while (mm.find()) {
                queried.add(mm.group(1));
            }
        });
        assertThat(queried).as("the dashboard queries metrics").hasSizeGreaterThan(10);
        assertThat(exposed)
                .as("every metric the dashboard queries is on /metrics")
                .containsAll(queried);
    }

    @Test
    void metricsCanRequireTheAdminToken() throws Exception {
        gw.close();
        gw = GatewayHarness.builder()
                .config(c -> c.withScheduling(c.scheduling().withAdminToken("metrics-admin-token-0123456789"))
                        .withMetrics(c.metrics().withRequireToken(true)))
                .start();
        SuiteSecretScan.secret("metrics-admin-token-0123456789");
        assertThat(gw.get("/metrics").statusCode())
                .as("a gateway key is not the admin token")
                .isEqualTo(401);
        HttpResponse<byte[]> r = gw.get("/metrics", "authorization", "Bearer metrics-admin-token-0123456789");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("relaygate_requests_active");
    }

    @Test
    void metricsOffMeansNoEndpoint() throws Exception {
        gw.close();
        gw = GatewayHarness.builder()
                .config(c -> c.withMetrics(c.metrics().withEnabled(false)))
                .start();
        assertThat(gw.get("/metrics").statusCode()).isEqualTo(404);
        assertThat(gw.get("/healthz").statusCode()).isEqualTo(200);
    }
}
