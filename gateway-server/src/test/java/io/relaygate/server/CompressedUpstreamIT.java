package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream that compresses its answer although the gateway asked for identity: a gzip or brotli SSE stream must
 * reach the client decoded and whole, with its usage read, and convert like any other stream.
 */
class CompressedUpstreamIT {

    private static ServerSocket upstream;
    private static Thread acceptor;
    private static byte[] stream;
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        stream = Files.readAllBytes(Fixtures.clientsDir().resolve("claude-code-2.1.330_text_stream.sse"));
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(CompressedUpstreamIT::serve, "gzip-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
        gw = GatewayHarness.builder()
                .upstreamBaseUrl("http://127.0.0.1:" + upstream.getLocalPort())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        gw.outcomes.clear();
    }

    /** Answers every request with the captured stream, gzip-compressed, then closes the connection. */
    private static void serve() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept()) {
                String head = readRequest(s.getInputStream());
                boolean brotli = head.contains("x-test-encoding: br");
                byte[] encoded;
                if (brotli) {
                    com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability();
                    encoded = com.aayushatharva.brotli4j.encoder.Encoder.compress(stream);
                } else {
                    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
                    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
                        gz.write(stream);
                    }
                    encoded = zipped.toByteArray();
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: "
                                + (brotli ? "br" : "gzip") + "\r\ncontent-length: " + encoded.length
                                + "\r\nconnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(encoded);
                out.flush();
            } catch (IOException e) {
                // closed at the end of the class, or a client gave up
            }
        }
    }

    /** Reads one request; returns its head, names lower-cased. */
    private static String readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return "";
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return head.toString().toLowerCase(java.util.Locale.ROOT);
    }

    @Test
    void aGzipStreamReachesTheClientDecodedWithItsUsage() throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hello"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(r.body()).as("the stream as the upstream meant it").isEqualTo(stream);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.usage().outputTokens())
                .as("usage read from the decoded stream")
                .isPositive();
    }

    @Test
    void aBrotliStreamIsDecodedToo() throws Exception {
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hello"), "x-test-encoding", "br");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(r.body()).isEqualTo(stream);
        assertThat(gw.outcomeOf(r).usage().outputTokens()).isPositive();
    }

    @Test
    void aGzipStreamConvertsForAResponsesClient() throws Exception {
        HttpResponse<byte[]> r = gw.post(
                "/openai/v1/responses", "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"input\":\"hello\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body).contains("event: response.output_text.delta").contains("event: response.completed");
        assertThat(gw.outcomeOf(r).usage().outputTokens()).isPositive();
    }
}
