package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static io.relaygate.server.Http2UpstreamIT.account;
import static io.relaygate.server.Http2UpstreamIT.h2;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 PINGs on upstream connections: a connection quiet for {@code upstream.streamKeepAlive} is pinged (and kept
 * while it answers); one that stops answering (the mock stops reading, as a dead server or path would) is closed
 * after {@code upstream.connectTimeout}, and the request that was waiting on it is sent again on a fresh connection.
 */
class Http2PingIT {

    @Test
    void quietConnectionsArePingedAndOneThatStopsAnsweringIsReplacedWithoutLosingTheRequest() throws Exception {
        try (GatewayHarness gw = GatewayHarness.builder()
                .mock(h2())
                .config(c -> c.withServer(c.server().withIoThreads(1))
                        .withUpstream(c.upstream().withStreamKeepAlive(Duration.ofMillis(300))))
                .upstreamTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30))
                .start()) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            assertThat(gw.post("/v1/messages", messages(Http2UpstreamIT.MODEL, true, "hi"))
                            .statusCode())
                    .isEqualTo(200);
            long until = System.nanoTime() + GatewayHarness.WAIT.toNanos();
            while (gw.mock.pingsReceived() < 2 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(gw.mock.pingsReceived())
                    .as("the quiet connection was pinged, again after each answer")
                    .isGreaterThanOrEqualTo(2);
            assertThat(gw.mock.openHttp2Connections()).as("answered: kept").isEqualTo(1);

            assertThat(gw.mock.mute()).isEqualTo(1);
            HttpResponse<byte[]> r = gw.post("/v1/messages", messages(Http2UpstreamIT.MODEL, true, "after"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
            assertThat(gw.outcomeOf(r).account())
                    .as("sent again on a fresh connection to the same account, no failover")
                    .isEqualTo("h2");
            assertThat(gw.mock.connectionsAccepted())
                    .as("the silent connection was given up for a new one")
                    .isEqualTo(2);
        }
    }
}
