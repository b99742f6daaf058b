package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.config.ServerConfig;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus ({@code src/test/resources/bad-input/*.cases}, one case a line, see {@link CorpusCase}) against
 * the real server on both stores: each case's bytes go over a raw socket, the answer must be the expected status and
 * error type in the route's own error shape (or the connection closed, for what is not HTTP), within the socket's read
 * bound, without the gateway key in it; then a good request on a new connection must be served. The suite's leak
 * extension fails the class on any ByteBuf leak (paranoid detector).
 */
class BadInputCorpusIT {

    private static final Path CORPUS = Path.of("src/test/resources/bad-input");
    /** A hang guard, not a speed check: far above any answer's time, far below a stuck build. */
    private static final int READ_BOUND_MILLIS = 15_000;

    private static final String REDIS_PREFIX = CliRedis.uniquePrefix();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static @Nullable GatewayHarness local;
    private static @Nullable GatewayHarness redis;

    @BeforeAll
    static void start() throws Exception {
        CliRedis.requireRedis();
        local = harness(null).start();
        Path redisData = Files.createTempDirectory("relaygate-corpus");
        redis = harness(new StoreConfig(StoreConfig.REDIS, redisData, CliRedis.url(), REDIS_PREFIX))
                .start();
    }

    /**
     * Small limits so the corpus reaches them cheaply: 256 KiB bodies, 16 KiB heads, 2 s idle, 3 s for a whole head
     * and for a whole body.
     */
    private static GatewayHarness.Builder harness(@Nullable StoreConfig store) {
        return GatewayHarness.builder().config(c -> {
            var configured = c.withServer(new ServerConfig(
                    "127.0.0.1",
                    0,
                    0,
                    256 * 1024,
                    16 * 1024,
                    32 * 1024,
                    128 * 1024,
                    Duration.ofSeconds(2),
                    List.of(),
                    false,
                    ServerConfig.DEFAULT_DRAIN_TIMEOUT,
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(3),
                    null));
            return store == null ? configured : configured.withStore(store);
        });
    }

    @AfterAll
    static void stop() throws Exception {
        for (GatewayHarness gw : new GatewayHarness[] {local, redis}) {
            if (gw != null) {
                gw.close();
            }
        }
        CliRedis.deleteKeys(REDIS_PREFIX);
    }

    /** {@code CORPUS_ONLY=<file prefix>} in the environment runs one file's cases (while working on them). */
    static Stream<Arguments> cases() {
        String only = java.util.Objects.requireNonNullElse(System.getenv("CORPUS_ONLY"), "");
        List<CorpusCase> all = CorpusCase.load(CORPUS).stream()
                .filter(c -> c.file().startsWith(only))
                .toList();
        return Stream.of("local", "redis").flatMap(store -> all.stream().map(c -> Arguments.of(store, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void eachCaseIsAnsweredInTheClientsFormatAndTheNextRequestIsServed(String store, CorpusCase c) throws Exception {
        GatewayHarness gw = Map.of("local", local, "redis", redis).get(store);
        try (Socket socket = new Socket("127.0.0.1", gw.server.port())) {
            socket.setSoTimeout(READ_BOUND_MILLIS);
            List<byte[]> requests = c.requests(gw.key);
            OutputStream out = socket.getOutputStream();
            RawHttp http = new RawHttp(socket.getInputStream());
            switch (c.mode()) {
                case "send" -> {
                    send(out, requests.get(0), -1);
                    check(gw, c, c.expected(), CorpusCase.openAiShape(requests.get(0)), http);
                }
                case "pipelined" -> {
                    for (byte[] r : requests) {
                        send(out, r, -1);
                    }
                    String[] expected = c.expected().split(";");
                    assertThat(expected)
                            .as("%s: one expectation per request", c)
                            .hasSameSizeAs(requests);
                    for (int i = 0; i < expected.length; i++) {
                        check(gw, c, expected[i], CorpusCase.openAiShape(requests.get(i)), http);
                    }
                }
                case "stall" -> {
                    send(out, requests.get(0), -1);
                    assertThat(http.closedByServer())
                            .as("%s: a stalled request is closed by the idle timeout", c)
                            .isTrue();
                }
                case "drip", "drip-body" -> {
                    // Slowloris: one byte a second (from the first, or after the head), each well inside the 2 s idle
                    // timeout, so only the request deadlines can end it.
                    byte[] request = requests.get(0);
                    int atOnce = c.mode().equals("drip") ? 1 : headLength(request);
                    Thread dripper = drip(out, request, atOnce);
                    try {
                        check(gw, c, c.expected(), CorpusCase.openAiShape(requests.get(0)), http);
                        assertThat(http.closedByServer())
                                .as("%s: the connection is closed after the 408", c)
                                .isTrue();
                    } finally {
                        dripper.interrupt();
                        dripper.join(5000);
                    }
                }
                case "hangup" -> send(out, requests.get(0), c.cut());
                case "hangup-after-first-byte" -> {
                    send(out, requests.get(0), -1);
                    assertThat(socket.getInputStream().read())
                            .as("the answer started")
                            .isNotNegative();
                }
                case "half-close" -> {
                    send(out, requests.get(0), -1);
                    socket.shutdownOutput();
                    check(gw, c, c.expected(), false, http);
                }
                default -> throw new IllegalArgumentException(c + ": unknown mode " + c.mode());
            }
        }
        RawHttp.Response next = nextRequest(gw);
        assertThat(next).as("%s: the next good request is answered", c).isNotNull();
        assertThat(next.status())
                .as("%s: the next good request is served: %s%s", c, next.head(), next.bodyText())
                .isEqualTo(200);
    }

    private static int headLength(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? request.length : end + 4;
    }

    /** Writes {@code request}'s first {@code atOnce} bytes, then one byte a second until it ends or the write fails. */
    private static Thread drip(OutputStream out, byte[] request, int atOnce) {
        Thread t = new Thread(
                () -> {
                    try {
                        out.write(request, 0, Math.min(atOnce, request.length));
                        out.flush();
                        for (int i = atOnce; i < request.length; i++) {
                            Thread.sleep(1000);
                            out.write(request[i]);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the gateway closed the connection, or the case is over
                    }
                },
                "corpus-drip");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * A good request on a connection of its own. Not the harness's pooled client: its kept-alive connection from the
     * previous case has been idle as long as this case took, and a case that waits out the server's 2 s idle timeout
     * (a stall, or a bad chunk the server answers and then leaves to the timeout) hands it back to the client in the
     * same millisecond the server closes it: the request is written into the close ("header parser received no
     * bytes", case 183, chunked-invalid-size, seen in two full runs).
     */
    private static RawHttp.@Nullable Response nextRequest(GatewayHarness gw) throws IOException {
        byte[] body = GatewayHarness.messages("claude-sonnet-4-5", false, "the next request")
                .getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/messages HTTP/1.1\r\nhost: gw\r\nx-api-key: " + gw.key
                + "\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: " + body.length
                + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", gw.server.port())) {
            socket.setSoTimeout(READ_BOUND_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            RawHttp.Response r = new RawHttp(socket.getInputStream()).read();
            if (r != null) {
                SuiteSecretScan.response(r.status() + " " + r.head() + " " + r.bodyText());
            }
            return r;
        }
    }

    private static void send(OutputStream out, byte[] request, int cut) {
        try {
            out.write(request, 0, cut < 0 ? request.length : Math.min(cut, request.length));
            out.flush();
        } catch (IOException e) {
            // The gateway may answer and close before reading everything (a body over the limit): the answer is
            // what the case checks.
        }
    }

    private static void check(GatewayHarness gw, CorpusCase c, String expected, boolean openAi, RawHttp http)
            throws IOException {
        switch (expected) {
            case "none" -> {}
            case "any" -> {
                RawHttp.Response r = http.read();
                if (r != null) {
                    assertThat(r.status()).as("%s: %s", c, r.head()).isLessThan(500);
                    assertThat(r.bodyText()).doesNotContain(gw.key);
                }
            }
            case "closed" -> {
                RawHttp.Response r = http.read();
                if (r != null) {
                    assertThat(r.status())
                            .as("%s: refused: %s%s", c, r.head(), r.bodyText())
                            .isBetween(400, 499);
                    assertThat(r.bodyText()).doesNotContain(gw.key);
                }
                assertThat(http.closedByServer())
                        .as("%s: the connection is closed", c)
                        .isTrue();
            }
            default -> {
                String[] parts = expected.split(" ", 2);
                RawHttp.Response r = http.read();
                assertThat(r).as("%s: an answer", c).isNotNull();
                assertThat(r.status()).as("%s: %s%s", c, r.head(), r.bodyText()).isEqualTo(Integer.parseInt(parts[0]));
                assertThat(r.bodyText()).doesNotContain(gw.key);
                if (parts.length == 2) {
                    JsonNode body = JSON.readTree(r.body());
                    JsonNode error = body.path("error");
                    assertThat(error.path("type").asText())
                            .as("%s: %s", c, r.bodyText())
                            .isEqualTo(parts[1]);
                    assertThat(error.path("message").asText())
                            .as("%s: a message", c)
                            .isNotBlank();
                    if (openAi) {
                        assertThat(body.has("type"))
                                .as("%s: OpenAI's error shape", c)
                                .isFalse();
                    } else {
                        assertThat(body.path("type").asText())
                                .as("%s: Anthropic's error shape", c)
                                .isEqualTo("error");
                    }
                }
            }
        }
    }
}
