package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.relaygate.core.config.Cidr;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress addresses =
            new ClientAddress(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("127.0.0.1"), Cidr.parse("fd00::/8")));

    @Test
    void theRightmostHopThatIsNotATrustedProxyIsTheClient() {
        assertThat(addresses.resolve("10.1.1.1", List.of("198.51.100.1, 203.0.113.9, 10.2.2.2")))
                .as("10.2.2.2 is our own proxy chain, 203.0.113.9 connected to it; 198.51.100.1 is what it claimed")
                .isEqualTo("203.0.113.9");
    }

    @Test
    void severalHeadersAreOneListInOrder() {
        assertThat(addresses.resolve("127.0.0.1", List.of("203.0.113.1", "10.9.9.9")))
                .isEqualTo("203.0.113.1");
    }

    @Test
    void anUntrustedPeersHeaderIsIgnored() {
        assertThat(addresses.resolve("192.0.2.50", List.of("203.0.113.9")))
                .as("anyone can write X-Forwarded-For")
                .isEqualTo("192.0.2.50");
    }

    @Test
    void whenEveryHopIsTrustedTheLeftmostIsTheClient() {
        assertThat(addresses.resolve("127.0.0.1", List.of("10.0.0.5, 10.0.0.6")))
                .isEqualTo("10.0.0.5");
    }

    @Test
    void portsAndBracketsAreStrippedAndNamesEndTheWalk() {
        assertThat(addresses.resolve("127.0.0.1", List.of("[2001:db8::7]:443"))).isEqualTo("2001:db8::7");
        assertThat(addresses.resolve("127.0.0.1", List.of("203.0.113.4:5123"))).isEqualTo("203.0.113.4");
        assertThat(addresses.resolve("127.0.0.1", List.of("evil.example, 10.0.0.8")))
                .as("a host name cannot be checked: the last checkable hop stands")
                .isEqualTo("10.0.0.8");
    }

    @Test
    void ipv6RangesAndMappedIpv4Addresses() throws Exception {
        assertThat(addresses.trusts(java.net.InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(addresses.trusts(java.net.InetAddress.getByName("::ffff:10.3.4.5")))
                .isTrue();
        assertThat(addresses.trusts(java.net.InetAddress.getByName("11.0.0.1"))).isFalse();
    }

    @Test
    void aProxyProtocolHeaderNamesTheConnectionsClientAndTheHttpBytesPassUntouched() {
        EmbeddedChannel ch = new EmbeddedChannel(new ProxyProtocolHandler());
        String http = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        // split inside the header: the handler must wait for the whole line
        ch.writeInbound(ascii("PROXY TCP4 198.51.100.23 10.0.0.1 5555 "));
        ch.writeInbound(ascii("443\r\n" + http));
        assertThat(ClientAddress.of(ch)).isEqualTo("198.51.100.23");
        assertThat(readAll(ch)).isEqualTo(http);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aConnectionWithoutProxyProtocolIsPlainHttp() {
        EmbeddedChannel ch = new EmbeddedChannel(new ProxyProtocolHandler());
        String http = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
        ch.writeInbound(ascii(http));
        assertThat(readAll(ch)).isEqualTo(http);
        assertThat(ch.pipeline().get(ProxyProtocolHandler.class))
                .as("steps aside")
                .isNull();
        assertFalse(ch.finishAndReleaseAll());
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readAll(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }
}
