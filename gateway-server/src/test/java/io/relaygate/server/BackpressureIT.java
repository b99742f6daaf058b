package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A slow client must not grow the gateway's memory: upstream reads pause while the client channel is above its high
 * water mark, so the mock upstream stalls instead of the gateway buffering its stream. And a client that hangs up
 * makes the gateway hang up on the upstream.
 */
class BackpressureIT {

    private static final long FLOOD_BYTES = 96L * 1024 * 1024;
    /** Far below the flood: watermarks (128 KiB) plus socket buffers and allocator chunk granularity. */
    private static final long MEMORY_BOUND_BYTES = 24L * 1024 * 1024;

    @Test
    void slowReadingClientDoesNotGrowGatewayMemory() throws Exception {
        // A private allocator, so its metrics count the gateway's buffers and nothing of the in-process mock's.
        PooledByteBufAllocator gatewayAlloc = new PooledByteBufAllocator(true);
        try (GatewayHarness gw = GatewayHarness.builder()
                        .mock(MockOptions.defaults().withFloodBytes(FLOOD_BYTES))
                        .allocator(gatewayAlloc)
                        .start();
                Socket client = new Socket()) {
            client.setReceiveBufferSize(16 * 1024);
            client.connect(new java.net.InetSocketAddress("127.0.0.1", gw.server.port()));
            String body = messages("claude-sonnet-4-5", true, "mock:flood");
            OutputStream out = client.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.key
                            + "\r\ncontent-type: application/json\r\ncontent-length: "
                            + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();

            // Do not read: wait until the upstream is stalled (its written byte count stops moving).
            long last = -1;
            long peakMemory = 0;
            for (int stable = 0; stable < 5; ) {
                Thread.sleep(200);
                long now = gw.mock.bytesWritten();
                peakMemory = Math.max(peakMemory, usedMemory(gatewayAlloc));
                stable = now == last && now > 0 ? stable + 1 : 0;
                last = now;
            }
            org.slf4j.LoggerFactory.getLogger(BackpressureIT.class)
                    .info(
                            "slow client: mock stalled after {} bytes, gateway allocator peak {} bytes",
                            last,
                            peakMemory);
            assertThat(last)
                    .as("the mock upstream stalled long before sending everything")
                    .isLessThan(FLOOD_BYTES / 4);
            assertThat(peakMemory)
                    .as("gateway buffer memory stays bounded while the client does not read")
                    .isLessThan(MEMORY_BOUND_BYTES);

            // Now read everything: nothing was lost on the way.
            InputStream in = client.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            long tail = 0;
            byte[] terminator = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            int matched = 0;
            outer:
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                for (int i = 0; i < n; i++) {
                    matched = buf[i] == terminator[matched] ? matched + 1 : (buf[i] == terminator[0] ? 1 : 0);
                    if (matched == terminator.length) {
                        break outer;
                    }
                }
                peakMemory = Math.max(peakMemory, usedMemory(gatewayAlloc));
                tail = n;
            }
            RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
            assertThat(ex.completed()).isTrue();
            assertThat(total).as("all flood bytes arrived (plus chunk framing)").isGreaterThan(ex.responseLength());
            assertThat(tail).isPositive();
            assertThat(peakMemory).as("bounded while draining too").isLessThan(MEMORY_BOUND_BYTES);
            ExchangeOutcome o = gw.nextOutcome();
            assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        }
    }

    @Test
    void clientDisconnectClosesTheUpstreamRequestAndStillReportsUsage() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            try (Socket client = new Socket("127.0.0.1", gw.server.port())) {
                String body = messages("claude-sonnet-4-5", true, "mock:slow");
                client.getOutputStream()
                        .write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.key
                                        + "\r\ncontent-type: application/json\r\ncontent-length: "
                                        + body.length() + "\r\n\r\n" + body)
                                .getBytes(StandardCharsets.UTF_8));
                InputStream in = client.getInputStream();
                byte[] seen = new byte[8192];
                int n = 0;
                while (!new String(seen, 0, n, StandardCharsets.UTF_8).contains("content_block_delta")) {
                    int r = in.read(seen, n, seen.length - n);
                    assertThat(r).as("stream is flowing").isPositive();
                    n += r;
                }
            }
            assertThat(gw.mock.awaitCancelledStreams(1, GatewayHarness.WAIT))
                    .as("the client's disconnect reached the upstream")
                    .isTrue();
            ExchangeOutcome o = gw.nextOutcome();
            assertThat(o.end()).isEqualTo(ExchangeOutcome.End.CLIENT_CANCELLED);
            assertThat(o.usage().inputTokens())
                    .as("usage seen before the cut is kept")
                    .isPositive();
            assertThat(gw.mock.exchanges().get(0).completed()).isFalse();
        }
    }

    private static long usedMemory(PooledByteBufAllocator alloc) {
        return alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory();
    }
}
