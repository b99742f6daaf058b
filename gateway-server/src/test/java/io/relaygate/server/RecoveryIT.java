package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.testing.MutableClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Accounts that went out for faults, through the real server: failover before the first byte on gateway timeouts
 * (504, Cloudflare's 524) and connect timeouts, and half-open recovery (one trial request after the cool-down, the
 * rest of the traffic only once it succeeded).
 */
class RecoveryIT {

    private static final Duration COOL_DOWN = Duration.ofSeconds(30);
    private final MutableClock clock = new MutableClock(Instant.now());
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.builder()
                .clock(clock)
                .config(c -> c.withScheduling(c.scheduling().withCoolDowns(Duration.ofMinutes(1), COOL_DOWN))
                        .withUpstream(c.upstream()
                                .withTimeouts(
                                        Duration.ofMillis(300),
                                        c.upstream().responseTimeout(),
                                        c.upstream().idleTimeout())))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private @Nullable AccountCondition condition(Account a) throws Exception {
        return gw.store
                .state()
                .conditions(clock.instant())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .get(a.id());
    }

    private ExchangeOutcome served(String text) throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, text));
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return gw.outcomeOf(r);
    }

    @ParameterizedTest
    @ValueSource(ints = {504, 524})
    void gatewayTimeoutsFailOverToAnotherAccountBeforeTheFirstByte(int status) throws Exception {
        Account slow = gw.addAccount(
                "behind-a-proxy", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-" + status, 10);

        ExchangeOutcome o = served("hello");

        assertThat(o.account()).as("failed over").isEqualTo("mock-anthropic");
        assertThat(o.attempts()).isEqualTo(2);
        assertThat(gw.mock.exchanges().get(0).status()).isEqualTo(status);
        assertThat(condition(slow))
                .as("a timeout of one request says nothing lasting about the account")
                .isNull();
    }

    @Test
    void aConnectTimeoutFailsOverAndTakesTheAccountOut() throws Exception {
        // a listener whose accept queue is full: the kernel drops further SYNs, so connecting times out
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
                    queued.add(s);
                }
            } catch (java.io.IOException queueFull) {
                // the queue filled up before the third connection: what the test needs
            }
            Account dark = gw.addAccount(
                    "dark",
                    AccountKind.ANTHROPIC_API,
                    "http://127.0.0.1:" + full.getLocalPort(),
                    GatewayHarness.UPSTREAM_KEY,
                    10);

            ExchangeOutcome o = served("hello");

            assertThat(o.account()).as("failed over").isEqualTo("mock-anthropic");
            assertThat(o.attempts()).isEqualTo(2);
            AccountCondition c = condition(dark);
            assertThat(c).isNotNull();
            assertThat(c.state()).isEqualTo(AccountCondition.State.UNREACHABLE);
            assertThat(c.reason()).contains("connect timed out");
            for (Socket s : queued) {
                s.close();
            }
        }
    }

    @Test
    void anAccountBackFromAFaultTakesOneTrialRequestBeforeItGetsTrafficAgain() throws Exception {
        Account busy = gw.addAccount("busy", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-529", 10);
        assertThat(served("first").attempts()).isEqualTo(2);
        assertThat(condition(busy).state()).isEqualTo(AccountCondition.State.OVERLOADED);

        clock.advance(COOL_DOWN);
        gw.mock.reset();
        ExchangeOutcome trial = served("the trial");
        assertThat(trial.attempts())
                .as("the trial went to the account first and failed over: the client never saw the 529")
                .isEqualTo(2);
        assertThat(trial.account()).isEqualTo("mock-anthropic");
        AccountCondition again = condition(busy);
        assertThat(again.state()).isEqualTo(AccountCondition.State.OVERLOADED);
        assertThat(again.reason()).startsWith("trial request failed: ");
        assertThat(again.until())
                .as("out for twice the cool-down")
                .isEqualTo(again.since().plus(COOL_DOWN.multipliedBy(2)));

        // the upstream recovers
        gw.store
                .accounts()
                .update(busy.withCredential(GatewayHarness.UPSTREAM_KEY))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        clock.advance(COOL_DOWN.multipliedBy(2));
        gw.mock.reset();
        ExchangeOutcome recovered = served("the second trial");
        assertThat(recovered.account()).isEqualTo("busy");
        assertThat(recovered.attempts()).isEqualTo(1);
        assertThat(condition(busy)).as("back in rotation").isNull();
        ExchangeOutcome after = served("after");
        assertThat(after.account()).as("trusted again: first by its priority").isEqualTo("busy");
        assertThat(after.attempts()).isEqualTo(1);
    }
}
