package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relaygate.core.config.Cidr;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The client's address behind a trusted proxy: X-Forwarded-For and the PROXY protocol, and nothing from others. */
class TrustedProxiesIT {

    private static GatewayHarness trusting(boolean proxyProtocol) throws Exception {
        return GatewayHarness.builder()
                .config(c ->
                        c.withServer(c.server().withTrustedProxies(List.of(Cidr.parse("127.0.0.1/32")), proxyProtocol)))
                .start();
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsLoggedAndRecorded() throws Exception {
        Logger security = (Logger) LoggerFactory.getLogger("io.relaygate.security");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        security.addAppender(lines);
        try (GatewayHarness gw = trusting(false)) {
            HttpResponse<byte[]> ok = gw.post(
                    "/v1/messages",
                    GatewayHarness.messages("claude-sonnet-4-5", false, "hi"),
                    "x-forwarded-for",
                    "198.51.100.1, 203.0.113.9");
            assertThat(ok.statusCode()).isEqualTo(200);
            ExchangeOutcome o = gw.outcomeOf(ok);
            assertThat(o.clientAddress())
                    .as("the rightmost hop the trusted proxy (127.0.0.1) saw")
                    .isEqualTo("203.0.113.9");

            HttpResponse<byte[]> refused = gw.post(
                    "/v1/messages",
                    GatewayHarness.messages("claude-sonnet-4-5", false, "hi"),
                    "x-api-key",
                    "rg_not-a-real-key-000000000000000000",
                    "x-forwarded-for",
                    "203.0.113.77");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(lines.list.stream().map(ILoggingEvent::getFormattedMessage))
                    .as("the security log names the client, not the proxy")
                    .anySatisfy(line -> assertThat(line).contains("203.0.113.77"))
                    .noneSatisfy(line -> assertThat(line).contains("from 127.0.0.1"));
        } finally {
            security.detachAppender(lines);
        }
    }

    @Test
    void withoutTrustedProxiesForwardedHeadersAreIgnored() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            HttpResponse<byte[]> ok = gw.post(
                    "/v1/messages",
                    GatewayHarness.messages("claude-sonnet-4-5", false, "hi"),
                    "x-forwarded-for",
                    "203.0.113.9");
            assertThat(gw.outcomeOf(ok).clientAddress())
                    .as("a client cannot name itself")
                    .isEqualTo("127.0.0.1");
        }
    }

    @Test
    void aTrustedProxysProxyProtocolHeaderNamesTheClient() throws Exception {
        try (GatewayHarness gw = trusting(true)) {
            String body = GatewayHarness.messages("claude-sonnet-4-5", false, "hi");
            try (Socket s = new Socket("127.0.0.1", gw.server.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("PROXY TCP4 198.51.100.23 127.0.0.1 5555 " + gw.server.port() + "\r\n"
                                + "POST /v1/messages HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                                + "x-api-key: " + gw.key + "\r\nContent-Length: "
                                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] head = new byte[12];
                assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
                assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
            assertThat(gw.nextOutcome().clientAddress()).isEqualTo("198.51.100.23");
        }
    }
}
