package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.testing.MutableClock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduling through the real server, with the real cool-down settings and a clock the test moves: failover, accounts
 * taken out of rotation by their upstream's answers and coming back, sticky sessions, least recently used order.
 */
class SchedulingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = new MutableClock(Instant.now());
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.builder()
                .clock(clock)
                .config(c ->
                        c.withScheduling(c.scheduling().withCoolDowns(Duration.ofMinutes(1), Duration.ofSeconds(30))))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private Account failing(String name, String scenario) {
        // the mock answers every request with the credential's scenario
        return gw.addAccount(name, AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-" + scenario, 10);
    }

    private AccountCondition condition(Account a) throws Exception {
        return gw.store
                .state()
                .conditions(clock.instant())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .get(a.id());
    }

    private String answeredBy(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return gw.outcomeOf(r).account();
    }

    @Test
    void aRateLimitedAccountSitsOutUntilTheResetItsUpstreamAnnounced() throws Exception {
        Account limited = failing("limited", "error-429");

        HttpResponse<byte[]> first = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hello"));

        assertThat(first.statusCode()).isEqualTo(200);
        ExchangeOutcome failedOver = gw.outcomeOf(first);
        assertThat(failedOver.account()).as("failed over").isEqualTo("mock-anthropic");
        assertThat(failedOver.attempts()).isEqualTo(2);
        assertThat(gw.mock.exchanges()).hasSize(2);
        AccountCondition c = condition(limited);
        assertThat(c.state()).isEqualTo(AccountCondition.State.RATE_LIMITED);
        assertThat(c.until())
                .as("the mock's retry-after: 2")
                .isEqualTo(c.since().plusSeconds(2));
        assertThat(c.reason()).contains("429").contains("rate limit");

        gw.mock.reset();
        assertThat(answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "again"))))
                .isEqualTo("mock-anthropic");
        assertThat(gw.mock.exchanges()).as("the limited account was not tried").hasSize(1);

        clock.advance(Duration.ofSeconds(3));
        gw.mock.reset();
        gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "later"));
        assertThat(gw.mock.exchanges())
                .as("back in rotation after the reset: tried first again")
                .hasSize(2);
    }

    @Test
    void anOverloadedAccountSitsOutForTheConfiguredTime() throws Exception {
        Account busy = failing("busy", "error-529");

        assertThat(answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"))))
                .isEqualTo("mock-anthropic");

        AccountCondition c = condition(busy);
        assertThat(c.state()).isEqualTo(AccountCondition.State.OVERLOADED);
        assertThat(c.until()).isEqualTo(c.since().plusSeconds(30));
        clock.advance(Duration.ofSeconds(31));
        assertThat(condition(busy).awaitsTrialAt(clock.instant()))
                .as("then half-open: back only after a trial request (RecoveryIT)")
                .isTrue();
    }

    @Test
    void refusedCredentialsTakeTheAccountOutUntilAnOperatorPutsItBack() throws Exception {
        Account revoked = failing("revoked", "error-401");

        assertThat(answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"))))
                .isEqualTo("mock-anthropic");

        AccountCondition c = condition(revoked);
        assertThat(c.state()).isEqualTo(AccountCondition.State.UNAUTHORIZED);
        assertThat(c.until()).isNull();
        assertThat(c.reason()).startsWith("HTTP 401");
        clock.advance(Duration.ofDays(2));
        assertThat(condition(revoked)).isNotNull();
    }

    @Test
    void whenEveryAccountIsRateLimitedTheClientGetsA429WithTheFirstReset() throws Exception {
        gw.store
                .accounts()
                .update(gw.store
                        .accounts()
                        .findByName("mock-anthropic")
                        .toCompletableFuture()
                        .get()
                        .orElseThrow()
                        .withSchedulable(false))
                .toCompletableFuture()
                .get();
        failing("limited", "error-429");
        HttpResponse<byte[]> first = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));
        assertThat(first.statusCode()).as("the upstream's own 429, relayed").isEqualTo(429);

        HttpResponse<byte[]> second = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(second.body()).path("error").path("message").asText())
                .startsWith("every upstream account that serves model claude-sonnet-4-5 is out of rotation: limited"
                        + " (rate-limited until ");
        assertThat(second.headers().firstValue("retry-after")).hasValue("2");
    }

    @Test
    void aClaudeCodeSessionSticksToItsAccountWhileOtherTrafficRotates() throws Exception {
        gw.addAccount("second", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), GatewayHarness.UPSTREAM_KEY, 50);
        String session = "x-claude-code-session-id";

        String a = answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "plain 1")));
        clock.advance(Duration.ofMillis(5));
        String b =
                answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "turn 1"), session, "sess-1"));
        assertThat(b).as("least recently used").isNotEqualTo(a);
        clock.advance(Duration.ofMillis(5));
        assertThat(answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "plain 2"))))
                .isEqualTo(a);
        clock.advance(Duration.ofMillis(5));
        assertThat(answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "plain 3"))))
                .isEqualTo(b);
        clock.advance(Duration.ofMillis(5));

        assertThat(answeredBy(
                        gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "turn 2"), session, "sess-1")))
                .as("sticky beats least recently used (which says " + a + ")")
                .isEqualTo(b);
    }

    @Test
    void withoutASessionIdTheConversationsOpeningIsTheSession() throws Exception {
        gw.addAccount("second", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), GatewayHarness.UPSTREAM_KEY, 50);
        String turn1 = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"system\":\"You are terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"first question\"}]}";
        String turn2 = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"system\":\"You are terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"first question\"},"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},{\"role\":\"user\",\"content\":\"second\"}]}";

        String first = answeredBy(gw.post("/v1/messages", turn1));
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(5));
            assertThat(answeredBy(gw.post("/v1/messages", turn2))).isEqualTo(first);
        }
        clock.advance(Duration.ofMillis(5));
        assertThat(answeredBy(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "another chat"))))
                .as("another conversation goes to the least recently used account")
                .isNotEqualTo(first);
    }
}
