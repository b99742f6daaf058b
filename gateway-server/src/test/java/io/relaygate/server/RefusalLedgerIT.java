package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.pipeline.ErrorResponder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 16 item 4: every request the gateway read gets exactly one access-log line, refusals before admission included
 * (no key, bad key, disabled key, client rule, model rule, limit, unknown path, wrong method, bad JSON), with its
 * status, error kind and key where known, and the same refusals move {@code relaygate_requests_total} once each.
 */
class RefusalLedgerIT {

    private final Logger access = (Logger) LoggerFactory.getLogger("io.relaygate.access");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        lines.start();
        access.addAppender(lines);
        gw = GatewayHarness.start();
    }

    @AfterEach
    void stop() throws Exception {
        access.detachAppender(lines);
        gw.close();
    }

    private static KeyRules rules(List<String> models, Set<ClientKind> clients, Long requestsPerMinute) {
        return new KeyRules(
                null,
                requestsPerMinute,
                requestsPerMinute == null ? null : Duration.ofMinutes(1),
                null,
                null,
                null,
                null,
                null,
                models,
                List.of(),
                clients,
                null,
                null,
                null);
    }

    /** The one access line of {@code r} (matched by the request id every response now carries). */
    private String lineOf(HttpResponse<byte[]> r) {
        String id = r.headers()
                .firstValue(ErrorResponder.REQUEST_ID_HEADER)
                .orElseThrow(() -> new AssertionError("a refusal without a request id: " + r));
        List<String> found = new ArrayList<>();
        long deadline = System.nanoTime() + GatewayHarness.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            found.clear();
            for (ILoggingEvent e : List.copyOf(lines.list)) {
                if (e.getFormattedMessage().startsWith(id + " ")) {
                    found.add(e.getFormattedMessage());
                }
            }
            if (!found.isEmpty()) {
                break;
            }
            Thread.onSpinWait();
        }
        assertThat(found).as("exactly one access line for " + id).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyRefusalKindIsOneAccessLineAndOneCount() throws Exception {
        String body = messages("claude-sonnet-4-5", false, "hi");
        ApiKeyService keys = new ApiKeyService(gw.store.keys());
        String disabledName = "disabled-" + System.nanoTime();
        String disabled = keys.create(disabledName, KeyRules.NONE)
                .toCompletableFuture()
                .join()
                .secret();
        SuiteSecretScan.secret(disabled);
        keys.disable(disabledName).toCompletableFuture().join();
        String onlyCodex = gw.keyWith(rules(List.of(), Set.of(ClientKind.CODEX), null));
        String onlyHaiku = gw.keyWith(rules(List.of("claude-haiku-*"), Set.of(), null));
        String onePerMinute = gw.keyWith(rules(List.of(), Set.of(), 1L));

        HttpResponse<byte[]> noKey = noKey("/v1/messages", body);
        HttpResponse<byte[]> badKey =
                gw.post("/v1/messages", body, "x-api-key", "rg_nope_abcdefghijabcdefghijabcdefghij12");
        HttpResponse<byte[]> disabledKey = gw.post("/v1/messages", body, "x-api-key", disabled);
        HttpResponse<byte[]> clientRule = gw.post("/v1/messages", body, "x-api-key", onlyCodex);
        HttpResponse<byte[]> modelRule = gw.post("/v1/messages", body, "x-api-key", onlyHaiku);
        HttpResponse<byte[]> firstOfLimit = gw.post("/v1/messages", body, "x-api-key", onePerMinute);
        HttpResponse<byte[]> limit = gw.post("/v1/messages", body, "x-api-key", onePerMinute);
        HttpResponse<byte[]> unknownPath = gw.post("/v1/nothing-here", body);
        HttpResponse<byte[]> wrongMethod = gw.get("/v1/messages");
        HttpResponse<byte[]> badJson = gw.post("/v1/messages", "{\"model\": ");

        assertThat(firstOfLimit.statusCode()).isEqualTo(200);
        assertThat(lineOf(noKey))
                .contains(" key=- key_id=- route=MESSAGES", " status=401 ", " end=REFUSED error=authentication ");
        assertThat(lineOf(badKey)).contains(" key=- ", " status=401 ", " end=REFUSED error=authentication ");
        assertThat(lineOf(disabledKey))
                .as("a disabled key is known: its name and id are in the line")
                .contains(" key=" + disabledName + " ", " status=403 ", " error=permission ")
                .doesNotContain(" key_id=- ");
        assertThat(lineOf(clientRule)).contains(" status=403 ", " end=REFUSED error=permission ", " client=other ");
        assertThat(lineOf(modelRule))
                .contains(" status=400 ", " error=invalid_request ", " model=claude-sonnet-4-5 ")
                .doesNotContain(" key=- ");
        assertThat(lineOf(firstOfLimit)).contains(" status=200 ", " end=COMPLETED ");
        assertThat(lineOf(limit)).contains(" status=429 ", " end=REFUSED error=rate_limit ");
        assertThat(lineOf(unknownPath)).contains(" key=- ", " route=- ", " status=404 ", " error=not_found ");
        assertThat(lineOf(wrongMethod)).contains(" route=MESSAGES ", " status=405 ", " error=method_not_allowed ");
        assertThat(lineOf(badJson)).contains(" status=400 ", " end=REFUSED error=invalid_request ");
        assertThat(lines.list)
                .as("ten requests, ten lines: nothing logged twice, nothing left out")
                .hasSize(10);

        Scrape metrics = new Scrape(new String(gw.get("/metrics").body(), StandardCharsets.UTF_8));
        assertThat(lines.list).as("a scrape is not a request of the log").hasSize(10);
        String total = "relaygate_requests_total";
        assertThat(metrics.sum(total, "status", "4xx", "error", "authentication"))
                .isEqualTo(2.0);
        assertThat(metrics.sum(total, "status", "4xx", "error", "permission")).isEqualTo(2.0);
        assertThat(metrics.sum(total, "status", "4xx", "error", "rate_limit")).isEqualTo(1.0);
        assertThat(metrics.sum(total, "route", "none", "status", "4xx", "error", "not_found"))
                .as("a path that resolved to no route is counted under route=none")
                .isEqualTo(1.0);
        assertThat(metrics.sum(total, "status", "4xx", "error", "method_not_allowed"))
                .isEqualTo(1.0);
        assertThat(metrics.sum(total, "status", "4xx", "error", "invalid_request"))
                .as("the bad JSON and the model outside the key's list")
                .isEqualTo(2.0);
        assertThat(metrics.sum(total, "status", "2xx")).isEqualTo(1.0);
        assertThat(metrics.sum(total)).as("every request read, once").isEqualTo(10.0);
        assertThat(metrics.sum("relaygate_requests_active"))
                .as("refusals hold no gauge")
                .isEqualTo(0.0);
    }

    private HttpResponse<byte[]> noKey(String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .timeout(GatewayHarness.WAIT)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return GatewayHarness.recorded(gw.http.send(r, HttpResponse.BodyHandlers.ofByteArray()));
    }
}
