package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.testing.MutableClock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quota-aware scheduling through the real server: two equal-priority Anthropic accounts, each on its own mock
 * upstream, one of which reports 95% of its request limit used. Once the gateway has seen both answer, it sends the
 * load to the account with headroom; when the busy account's announced reset has passed, least recently used order
 * takes over again. The gateway's clock is moved by the test.
 */
class QuotaIT {

    private static final String TOKEN = "admin-token-for-quota-tests-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.now());
    /** When the busy upstream says its request limit resets: well after the requests of a test, unless it moves. */
    private final Instant reset = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

    private MockUpstream busyUpstream;
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        // 500 of the mock's 10,000 requests left: 95% used
        busyUpstream = MockUpstream.start(MockOptions.defaults()
                .withRateLimit("ratelimit-requests-remaining", "500")
                .withRateLimit("ratelimit-requests-reset", reset.toString()));
        gw = GatewayHarness.builder()
                .clock(clock)
                .config(c -> c.withScheduling(c.scheduling().withAdminToken(TOKEN)))
                .start();
        gw.addAccount(
                "busy",
                AccountKind.ANTHROPIC_API,
                busyUpstream.baseUrl(),
                GatewayHarness.UPSTREAM_KEY,
                Account.DEFAULT_PRIORITY);
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        busyUpstream.close();
    }

    private int sent;

    /**
     * Sends {@code n} requests a second apart (so least-recently-used order is well defined), each its own session (a
     * request without a session id is one by its first message); who answered each.
     */
    private List<String> send(int n) throws Exception {
        List<String> answeredBy = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofSeconds(1));
            sent++;
            HttpResponse<byte[]> r =
                    gw.post("/v1/messages", messages("claude-sonnet-4-5", sent % 2 == 0, "question " + sent));
            assertThat(r.statusCode())
                    .as(new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            answeredBy.add(gw.outcomeOf(r).account());
        }
        return answeredBy;
    }

    private JsonNode adminAccount(String name) throws Exception {
        HttpResponse<byte[]> r = gw.get("/admin/accounts", "authorization", "Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        for (JsonNode a : JSON.readTree(r.body()).path("accounts")) {
            if (a.path("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("no account " + name + " in " + new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void theLoadGoesToTheAccountWithHeadroomUntilTheBusyOnesResetPasses() throws Exception {
        assertThat(send(2))
                .as("nothing known yet: least recently used, then name")
                .containsExactly("busy", "mock-anthropic");

        List<String> run = send(6);

        assertThat(run)
                .as("the busy account reported 95% used: every request goes to the other")
                .containsOnly("mock-anthropic")
                .hasSize(6);
        assertThat(busyUpstream.exchanges())
                .as("the busy upstream saw only the first request")
                .hasSize(1);

        JsonNode busy = adminAccount("busy");
        assertThat(busy.path("state").asText()).as("still in rotation: no 429").isEqualTo("active");
        assertThat(busy.path("quota").path("windows").path("req").path("used").asDouble())
                .isEqualTo(0.95);
        assertThat(busy.path("quota")
                        .path("windows")
                        .path("req")
                        .path("resetsAt")
                        .asText())
                .isEqualTo(reset.toString());
        assertThat(busy.path("quota").path("headroom").asDouble()).isEqualTo(0.05);
        assertThat(adminAccount("mock-anthropic").path("quota").path("headroom").asDouble())
                .isGreaterThan(0.99);

        clock.advance(Duration.between(clock.instant(), reset).plusSeconds(1));

        assertThat(send(4))
                .as("past the announced reset the busy account counts as empty: it is the least recently used")
                .containsExactly("busy", "mock-anthropic", "busy", "mock-anthropic");
        assertThat(adminAccount("busy").path("quota").path("headroom").asDouble())
                .as("the upstream's reading again names the reset that has passed")
                .isEqualTo(1.0);
    }
}
