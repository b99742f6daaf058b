package io.relaygate.server;

import static io.relaygate.server.RawUpstream.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.AccountKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18, hostile upstreams that need bytes no real HTTP server writes, from {@link RawUpstream} through the real
 * server: gzip that lies about its length (its trailer, or its Content-Length), a stream that stalls for ever after its
 * first event, an HTTP/1.0 close-delimited body, 1xx heads before the real one, and streams that end cleanly before
 * their terminal event ({@code src/test/resources/hostile-upstream-raw}). The client gets a well-formed stream or an
 * error in its format, the usage seen is recorded, and a connection that carried a broken answer is never used again:
 * the raw upstream keeps each such connection open for another request, and the next request must arrive on a new one.
 */
class HostileUpstreamIT {

    private static final Path RAW = Path.of("src/test/resources/hostile-upstream-raw");

    /** A whole Anthropic stream: 10 input tokens, 2 output tokens (message_delta), text "Hello". */
    static final String STREAM = event(
                    "message_start",
                    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_raw\",\"type\":\"message\",\"role\":"
                            + "\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
                            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}")
            + event(
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            + event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}")
            + event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + event(
                    "message_delta",
                    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                            + "\"usage\":{\"output_tokens\":2}}")
            + event("message_stop", "{\"type\":\"message_stop\"}");

    private RawUpstream upstream;
    private GatewayHarness gw;

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new RawUpstream();
        gw = GatewayHarness.builder()
                .upstreamBaseUrl(upstream.baseUrl())
                .upstreamTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        upstream.close();
    }

    private HttpResponse<byte[]> stream() throws Exception {
        return gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hello"));
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** The client's Anthropic stream is whole: a 200 ending in message_stop with the upstream's text. */
    private static void assertWhole(HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).contains("\"text\":\"Hel\"").endsWith(event("message_stop", "{\"type\":\"message_stop\"}"));
    }

    /** The client got an error in Anthropic's format: a 5xx error body, or a stream whose last event is an error. */
    private static void assertAnthropicError(HttpResponse<byte[]> r) {
        String body = text(r);
        if (r.statusCode() == 200) {
            assertThat(body.substring(body.lastIndexOf("event: ")))
                    .as(body)
                    .startsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"");
        } else {
            assertThat(r.statusCode()).as(body).isBetween(500, 599);
            assertThat(body).as(body).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"");
        }
    }

    /** The next request gets a connection of its own: the one that carried the broken answer was not pooled. */
    private void assertNotReused() throws Exception {
        int before = upstream.connections();
        upstream.script((head, in, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: "
                    + ascii(STREAM).length + "\r\n\r\n" + STREAM));
            out.flush();
            return true;
        });
        assertWhole(stream());
        assertThat(upstream.reusedRequests())
                .as("no request came on a connection that had carried an answer before")
                .isZero();
        assertThat(upstream.connections()).as("a new connection").isEqualTo(before + 1);
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(ascii(s));
        }
        return zipped.toByteArray();
    }

    @Test
    void gzipWhoseTrailerLiesAboutTheLengthIsAnErrorWithTheTokensSeen() throws Exception {
        byte[] body = gzip(STREAM);
        // ISIZE, the last four bytes: the uncompressed length modulo 2^32 (RFC 1952 §2.3.1), made one larger
        body[body.length - 4]++;
        upstream.script((head, in, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: gzip\r\n"
                    + "content-length: " + body.length + "\r\n\r\n"));
            out.write(body);
            out.flush();
            return true;
        });

        HttpResponse<byte[]> r = stream();

        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.usage().inputTokens()).as("message_start's tokens").isEqualTo(10);
        if (o.end() == ExchangeOutcome.End.COMPLETED) {
            assertWhole(r);
        } else {
            assertAnthropicError(r);
        }
        assertNotReused();
    }

    /** The upstream answers {@code stream} gzipped, declaring 100 bytes more than it sends, and waits for the hang-up. */
    private void gzipShortOfItsLength(String stream) throws IOException {
        byte[] body = gzip(stream);
        upstream.script((head, in, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: gzip\r\n"
                    + "content-length: " + (body.length + 100) + "\r\n\r\n"));
            out.write(body);
            out.flush();
            RawUpstream.awaitHangUp(in);
            return false;
        });
    }

    @Test
    void gzipShorterThanItsContentLengthIsAnErrorWithTheTokensSeen() throws Exception {
        // the stream stops before its final event, and the body short of its declared length
        gzipShortOfItsLength(STREAM.substring(0, STREAM.indexOf("event: message_delta")));

        HttpResponse<byte[]> r = stream();

        assertAnthropicError(r);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(o.usage().inputTokens()).as("tokens seen").isEqualTo(10);
        assertNotReused();
    }

    @Test
    void gzipShorterThanItsContentLengthAfterItsFinalEventEndsWhole() throws Exception {
        // the whole stream, message_stop included, then the body stops short of its declared length
        gzipShortOfItsLength(STREAM);

        HttpResponse<byte[]> r = stream();

        assertWhole(r);
        assertThat(text(r)).as("no error event after message_stop").doesNotContain("event: error");
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(o.usage().outputTokens()).isEqualTo(2);
        assertNotReused();
    }

    @Test
    void aStreamThatStallsForEverAfterItsFirstEventIsCutWithTheTokensSeen() throws Exception {
        boolean[] hungUp = new boolean[1];
        String first = STREAM.substring(0, STREAM.indexOf("event: content_block_start"));
        upstream.script((head, in, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                    + Integer.toHexString(ascii(first).length) + "\r\n" + first + "\r\n"));
            out.flush();
            RawUpstream.awaitHangUp(in);
            hungUp[0] = true;
            return false;
        });

        HttpResponse<byte[]> r = stream();

        assertAnthropicError(r);
        assertThat(text(r)).contains("upstream sent nothing for 1s");
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(o.usage().inputTokens()).isEqualTo(10);
        assertNotReused();
        assertThat(hungUp[0]).as("the gateway closed the stalled connection").isTrue();
    }

    @Test
    void anHttp10CloseDelimitedStreamIsRelayedWhole() throws Exception {
        upstream.script((head, in, out) -> {
            out.write(ascii("HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n" + STREAM));
            out.flush();
            return false;
        });

        HttpResponse<byte[]> r = stream();

        assertWhole(r);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(o.usage().inputTokens()).isEqualTo(10);
        assertThat(o.usage().outputTokens()).isEqualTo(2);
        assertNotReused();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\n"
            })
    void informationalHeadsBeforeTheRealOneAreSkipped(String informational) throws Exception {
        upstream.script((head, in, out) -> {
            out.write(ascii(informational));
            out.flush();
            out.write(ascii("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: "
                    + ascii(STREAM).length + "\r\n\r\n" + STREAM));
            out.flush();
            return false;
        });

        HttpResponse<byte[]> r = stream();

        assertWhole(r);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(o.usage().outputTokens()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "chat-to-anthropic-no-done.sse",
                "chat-to-anthropic-mid-event.sse",
                "responses-to-anthropic-no-completed.sse",
                "anthropic-to-chat-no-message-stop.sse"
            })
    void aStreamEndingCleanlyBeforeItsTerminalEventEndsWithAnErrorInTheClientsFormat(String file) throws Exception {
        String sse = Files.readString(RAW.resolve(file));
        String path;
        String body;
        if (file.startsWith("chat-")) {
            gw.addAccount("raw-chat", AccountKind.OPENAI_COMPATIBLE, upstream.baseUrl() + "/v1", "sk-chat", 1);
        } else if (file.startsWith("responses-")) {
            gw.addAccount("raw-responses", AccountKind.OPENAI_API, upstream.baseUrl(), "sk-responses", 1);
        }
        boolean chatClient = file.endsWith("to-chat-no-message-stop.sse");
        if (chatClient) {
            path = "/openai/v1/chat/completions";
            body = "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        } else {
            path = "/v1/messages";
            body = GatewayHarness.messages("claude-sonnet-4-5", true, "hello");
        }
        upstream.script((head, in, out) -> {
            byte[] bytes = ascii(sse);
            OutputStream o = out;
            o.write(ascii("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                    + Integer.toHexString(bytes.length) + "\r\n"));
            o.write(bytes);
            o.write(ascii("\r\n0\r\n\r\n"));
            o.flush();
            return true;
        });

        HttpResponse<byte[]> r = gw.post(path, body);

        String got = text(r);
        assertThat(r.statusCode()).as(got).isEqualTo(200);
        if (chatClient) {
            String trimmed = got.endsWith("data: [DONE]\n\n") ? got.substring(0, got.length() - 14) : got;
            assertThat(trimmed.substring(trimmed.lastIndexOf("data: "))).as(got).startsWith("data: {\"error\":");
        } else {
            assertAnthropicError(r);
        }
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).as(got).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(o.error()).isEqualTo("truncated");
        assertThat(upstream.requests()).isEqualTo(1);
        if (!chatClient) {
            // the next request goes to the same account: it must come on a new connection
            gw.clearAccountConditions();
            int before = upstream.connections();
            gw.post(path, body);
            assertThat(upstream.reusedRequests())
                    .as("the cut connection was not pooled")
                    .isZero();
            assertThat(upstream.connections()).isEqualTo(before + 1);
        }
    }
}
