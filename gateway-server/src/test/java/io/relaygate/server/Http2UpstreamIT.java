package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.proxy.HttpConnectProxy;
import io.relaygate.server.proxy.Socks5Proxy;
import io.relaygate.server.proxy.TestProxy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 to the upstreams: streams share few connections (at most two per event loop for 200 streams against a server
 * allowing 100 per connection), a slow client stalls only its own stream, a client that leaves resets only its stream,
 * failover before the first byte, byte-identical passthrough next to HTTP/1.1, h2c by opt-in, GOAWAY draining and
 * proxies carrying h2 ({@link Http2PingIT}: PINGs on quiet connections). The upstream is the project's mock over TLS with ALPN (or h2c); it records each exchange's
 * protocol and connection.
 */
class Http2UpstreamIT {

    static final String MODEL = "claude-sonnet-4-5";

    private static GatewayHarness gateway(int ioThreads, MockOptions mock) throws Exception {
        return GatewayHarness.builder()
                .mock(mock)
                .config(c -> c.withServer(c.server().withIoThreads(ioThreads)))
                .start();
    }

    static MockOptions h2() {
        return MockOptions.defaults().withTls(true).withHttp2(true);
    }

    /** An account on {@code mock} trusting its certificate, preferred over the harness's own (untrusted) one. */
    static Account account(
            GatewayHarness gw,
            MockUpstream mock,
            String name,
            String credential,
            int priority,
            @Nullable String proxy) {
        SuiteSecretScan.secret(credential);
        Account a = new Account(
                "acc_" + Ids.random(10),
                name,
                AccountKind.ANTHROPIC_API,
                mock.baseUrl(),
                credential,
                proxy,
                priority,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.now(),
                mock.tls() ? mock.certificatePem().toString() : null,
                Map.of());
        return gw.store.accounts().create(a).toCompletableFuture().join();
    }

    private static HttpRequest streamRequest(GatewayHarness gw, String prompt, String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(60))
                .header("x-api-key", gw.key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(messages(MODEL, true, prompt)));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return r.build();
    }

    private static Set<String> connections(List<RecordedExchange> exchanges) {
        return exchanges.stream().map(RecordedExchange::connection).collect(Collectors.toSet());
    }

    @Test
    void twoHundredConcurrentStreamsShareAtMostTwoConnectionsPerEventLoop() throws Exception {
        int loops = 2;
        try (GatewayHarness gw = gateway(loops, h2().withMaxConcurrentStreams(100))) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // every stream waits before its first event, so all 200 are open upstream at once
                answers.add(http.sendAsync(
                        streamRequest(gw, "stream " + i, "x-mock-ttft-ms", "3000"),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("event: message_stop");
            }
            List<RecordedExchange> seen = gw.mock.exchanges();
            assertThat(seen).hasSize(200);
            assertThat(seen).extracting(RecordedExchange::protocol).containsOnly("h2");
            assertThat(connections(seen))
                    .as("at most two connections per event loop, and more than one since a connection takes 100")
                    .hasSizeBetween(2, 2 * loops);
            assertThat(gw.mock.connectionsAccepted())
                    .isEqualTo(connections(seen).size());
        }
    }

    @Test
    void aSlowClientStallsOnlyItsOwnStreamOnTheSharedConnection() throws Exception {
        long flood = 64L * 1024 * 1024;
        try (GatewayHarness gw = gateway(1, h2().withFloodBytes(flood));
                Socket slow = new Socket()) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            slow.setReceiveBufferSize(16 * 1024);
            slow.connect(new InetSocketAddress("127.0.0.1", gw.server.port()));
            send(slow, gw, "mock:flood");
            RecordedExchange stalled = awaitStalled(gw.mock);
            assertThat(stalled.responseLength())
                    .as("the flood stalled at its stream's window, far from its end")
                    .isLessThan(flood / 8);

            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                others.add(http.sendAsync(streamRequest(gw, "other " + i), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> a : others) {
                assertThat(a.get(30, TimeUnit.SECONDS).body()).contains("event: message_stop");
            }
            List<RecordedExchange> seen = gw.mock.exchanges();
            assertThat(connections(seen))
                    .as("the flood and the others shared one connection")
                    .hasSize(1);
            RecordedExchange floodNow = seen.get(0);
            assertThat(floodNow.scenario()).isEqualTo("flood");
            assertThat(floodNow.completed() || floodNow.cancelled())
                    .as("the slow client's stream is still stalled")
                    .isFalse();
        }
    }

    @Test
    void aClientThatLeavesResetsOnlyItsStream() throws Exception {
        try (GatewayHarness gw = gateway(1, h2());
                Socket leaving = new Socket()) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            CompletableFuture<HttpResponse<String>> staying = HttpClient.newHttpClient()
                    .sendAsync(
                            streamRequest(gw, "staying", "x-mock-events", "30", "x-mock-event-interval-ms", "100"),
                            HttpResponse.BodyHandlers.ofString());
            gw.mock.awaitExchange(0, GatewayHarness.WAIT);
            leaving.connect(new InetSocketAddress("127.0.0.1", gw.server.port()));
            send(leaving, gw, "leaving", "x-mock-events", "100", "x-mock-event-interval-ms", "100");
            readUntil(leaving.getInputStream(), "content_block_delta");
            leaving.close();

            assertThat(gw.mock.awaitCancelledStreams(1, GatewayHarness.WAIT)).isTrue();
            HttpResponse<String> r = staying.get(30, TimeUnit.SECONDS);
            assertThat(r.body())
                    .as("the other stream on the connection went on")
                    .contains("event: message_stop");
            List<RecordedExchange> seen = gw.mock.exchanges();
            assertThat(seen).extracting(RecordedExchange::cancelled).containsExactly(false, true);
            assertThat(connections(seen)).hasSize(1);
            assertThat(gw.mock.connectionsAccepted())
                    .as("the reset was the stream's, not the connection's")
                    .isEqualTo(1);
            assertThat(gw.post("/v1/messages", messages(MODEL, false, "after")).statusCode())
                    .isEqualTo(200);
            assertThat(connections(gw.mock.exchanges())).hasSize(1);
        }
    }

    @Test
    void failoverBeforeTheFirstByteWorksOverHttp2() throws Exception {
        try (GatewayHarness gw = gateway(1, h2())) {
            account(gw, gw.mock, "h2-limited", "mock-error-429", 1, null);
            account(gw, gw.mock, "h2-ok", GatewayHarness.UPSTREAM_KEY, 2, null);
            HttpResponse<byte[]> r = gw.post("/v1/messages", messages(MODEL, true, "hi"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
            ExchangeOutcome o = gw.outcomeOf(r);
            assertThat(o.account()).isEqualTo("h2-ok");
            assertThat(o.attempts()).isEqualTo(2);
            List<RecordedExchange> seen = gw.mock.exchanges();
            assertThat(seen).extracting(RecordedExchange::status).containsExactly(429, 200);
            assertThat(seen).extracting(RecordedExchange::protocol).containsOnly("h2");
        }
    }

    @Test
    void passthroughIsByteIdenticalOverHttp2AndHttp11() throws Exception {
        try (GatewayHarness gw = gateway(1, h2());
                MockUpstream h1 = MockUpstream.start(MockOptions.defaults().withTls(true))) {
            Account onH2 = account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            for (boolean stream : new boolean[] {true, false}) {
                gw.reset();
                h1.reset();
                String body = messages(MODEL, stream, "mock:tool_use");
                HttpResponse<byte[]> viaH2 = gw.post("/v1/messages", body);
                gw.store
                        .accounts()
                        .update(onH2.withSchedulable(false))
                        .toCompletableFuture()
                        .join();
                Account onH1 = account(gw, h1, "h1-" + stream, GatewayHarness.UPSTREAM_KEY, 1, null);
                HttpResponse<byte[]> viaH1 = gw.post("/v1/messages", body);
                gw.store
                        .accounts()
                        .update(onH1.withSchedulable(false))
                        .toCompletableFuture()
                        .join();
                gw.store.accounts().update(onH2).toCompletableFuture().join();

                RecordedExchange upH2 = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
                RecordedExchange upH1 = h1.awaitCompleted(0, GatewayHarness.WAIT);
                assertThat(upH2.protocol()).isEqualTo("h2");
                assertThat(upH1.protocol()).isEqualTo("http/1.1");
                assertThat(viaH2.body())
                        .as("h2: the upstream's bytes, untouched")
                        .isEqualTo(upH2.responseBody());
                assertThat(viaH1.body()).as("http/1.1: the same").isEqualTo(upH1.responseBody());
                assertThat(masked(viaH2.body())).isEqualTo(masked(viaH1.body()));
                assertThat(headerNames(viaH2)).isEqualTo(headerNames(viaH1));
                assertThat(gw.outcomeOf(viaH2).usage())
                        .isEqualTo(gw.outcomeOf(viaH1).usage());
            }
        }
    }

    @Test
    void faultsAndConversionEndTheSameOverHttp2AsOverHttp11() throws Exception {
        try (GatewayHarness gw = gateway(1, h2());
                MockUpstream h1 = MockUpstream.start(MockOptions.defaults().withTls(true))) {
            Account onH2 = account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            Account onH1 = account(gw, h1, "h1", GatewayHarness.UPSTREAM_KEY, 1, null);
            String chat = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"%s\"}]}";
            for (String scenario : List.of("text", "reset-mid-stream", "truncate", "truncate-close", "stream-error")) {
                for (boolean converted : new boolean[] {false, true}) {
                    String path = converted ? "/v1/chat/completions" : "/v1/messages";
                    String body = converted
                            ? String.format(chat, "mock:" + scenario)
                            : messages(MODEL, true, "mock:" + scenario);
                    List<String> seen = new ArrayList<>();
                    for (boolean http2 : new boolean[] {true, false}) {
                        gw.store
                                .accounts()
                                .update(onH2.withSchedulable(http2))
                                .toCompletableFuture()
                                .join();
                        gw.store
                                .accounts()
                                .update(onH1.withSchedulable(!http2))
                                .toCompletableFuture()
                                .join();
                        HttpResponse<byte[]> r = gw.post(path, body);
                        ExchangeOutcome o = gw.outcomeOf(r);
                        assertThat(o.account()).isEqualTo(http2 ? "h2" : "h1");
                        seen.add(r.statusCode() + " " + o.end() + " " + o.usage() + "\n" + masked(r.body()));
                    }
                    assertThat(seen.get(0))
                            .as("%s %s: the client sees the same over HTTP/2 as over HTTP/1.1", path, scenario)
                            .isEqualTo(seen.get(1));
                }
            }
            assertThat(gw.mock.exchanges())
                    .extracting(RecordedExchange::protocol)
                    .containsOnly("h2");
        }
    }

    @Test
    void aResponseTimeoutResetsTheStreamAndTheConnectionStays() throws Exception {
        try (GatewayHarness gw = GatewayHarness.builder()
                .mock(h2())
                .config(c -> c.withServer(c.server().withIoThreads(1)))
                .upstreamTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .start()) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            assertThat(gw.post("/v1/messages", messages(MODEL, false, "hi")).statusCode())
                    .isEqualTo(200);
            HttpResponse<byte[]> r = gw.post("/v1/messages", messages(MODEL, false, "mock:hang"));
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(gw.mock.awaitCancelledStreams(1, GatewayHarness.WAIT))
                    .as("the hanging stream was reset")
                    .isTrue();
            assertThat(gw.post("/v1/messages", messages(MODEL, false, "again")).statusCode())
                    .isEqualTo(200);
            assertThat(connections(gw.mock.exchanges()))
                    .as("one connection carried all three")
                    .hasSize(1);
        }
    }

    @Test
    void plainHttpUpstreamsSpeakH2cOnlyWhenTheirOriginOptsIn() throws Exception {
        try (MockUpstream plain = MockUpstream.start(MockOptions.defaults().withHttp2(true))) {
            try (GatewayHarness gw = GatewayHarness.builder()
                    .upstreamBaseUrl(plain.baseUrl())
                    .config(c -> c.withUpstream(c.upstream().withHttp2(true, List.of(plain.baseUrl()))))
                    .start()) {
                HttpResponse<byte[]> r = gw.post("/v1/messages", messages(MODEL, true, "hi"));
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
                assertThat(plain.awaitCompleted(0, GatewayHarness.WAIT).protocol())
                        .isEqualTo("h2c");
            }
            plain.reset();
            try (GatewayHarness gw =
                    GatewayHarness.builder().upstreamBaseUrl(plain.baseUrl()).start()) {
                assertThat(gw.post("/v1/messages", messages(MODEL, false, "hi")).statusCode())
                        .isEqualTo(200);
                assertThat(plain.awaitCompleted(0, GatewayHarness.WAIT).protocol())
                        .as("not listed: HTTP/1.1 as before")
                        .isEqualTo("http/1.1");
            }
        }
    }

    @Test
    void aTlsUpstreamWithoutH2IsSpokenToInHttp11() throws Exception {
        try (GatewayHarness gw = gateway(1, MockOptions.defaults().withTls(true))) {
            account(gw, gw.mock, "h1-only", GatewayHarness.UPSTREAM_KEY, 1, null);
            for (int i = 0; i < 2; i++) {
                assertThat(gw.post("/v1/messages", messages(MODEL, true, "hi")).statusCode())
                        .isEqualTo(200);
            }
            assertThat(gw.mock.exchanges())
                    .extracting(RecordedExchange::protocol)
                    .containsOnly("http/1.1");
            assertThat(gw.mock.connectionsAccepted())
                    .as("the connection was pooled")
                    .isEqualTo(1);
        }
    }

    @Test
    void goAwayDrainsTheConnectionAndNewStreamsGoToAFreshOne() throws Exception {
        try (GatewayHarness gw = gateway(1, h2())) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            CompletableFuture<HttpResponse<String>> running = HttpClient.newHttpClient()
                    .sendAsync(
                            streamRequest(gw, "long", "x-mock-events", "20", "x-mock-event-interval-ms", "100"),
                            HttpResponse.BodyHandlers.ofString());
            gw.mock.awaitExchange(0, GatewayHarness.WAIT);
            assertThat(gw.mock.goAway()).isEqualTo(1);
            HttpResponse<byte[]> after = gw.post("/v1/messages", messages(MODEL, true, "after"));
            assertThat(new String(after.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
            assertThat(running.get(30, TimeUnit.SECONDS).body())
                    .as("the stream the server had started ran to its end")
                    .contains("event: message_stop");
            List<RecordedExchange> seen = gw.mock.exchanges();
            assertThat(seen).hasSize(2);
            assertThat(seen.get(1).connection()).isNotEqualTo(seen.get(0).connection());
        }
    }

    @Test
    void aStreamTheServerRefusedIsSentAgainAndTheClientNeverKnows() throws Exception {
        try (GatewayHarness gw = gateway(1, h2())) {
            account(gw, gw.mock, "h2", GatewayHarness.UPSTREAM_KEY, 1, null);
            HttpResponse<byte[]> r =
                    gw.post("/v1/messages", messages(MODEL, true, "hi"), "x-mock-refuse-stream", Ids.random(8));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
            ExchangeOutcome o = gw.outcomeOf(r);
            assertThat(o.account()).as("the same account, not a failover").isEqualTo("h2");
            List<RecordedExchange> seen = gw.mock.exchanges();
            assertThat(seen).extracting(RecordedExchange::scenario).containsExactly("refused-stream", "text");
            assertThat(seen.get(1).completed()).isTrue();
        }
    }

    @Test
    void socks5AndHttpConnectProxiesCarryH2() throws Exception {
        try (GatewayHarness gw = gateway(1, h2());
                Socks5Proxy socks = new Socks5Proxy("relay", "h2-pass");
                HttpConnectProxy connect = new HttpConnectProxy("relay", "h2-pass")) {
            for (TestProxy proxy : List.<TestProxy>of(socks, connect)) {
                gw.reset();
                String scheme = proxy == socks ? "socks5" : "http";
                Account a = account(
                        gw,
                        gw.mock,
                        "via-" + scheme,
                        GatewayHarness.UPSTREAM_KEY,
                        1,
                        scheme + "://relay:h2-pass@127.0.0.1:" + proxy.port());
                HttpResponse<byte[]> r = gw.post("/v1/messages", messages(MODEL, true, "hi"));
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
                assertThat(gw.mock.awaitCompleted(0, GatewayHarness.WAIT).protocol())
                        .isEqualTo("h2");
                assertThat(proxy.tunnels()).hasSize(1);
                gw.store
                        .accounts()
                        .update(a.withSchedulable(false))
                        .toCompletableFuture()
                        .join();
            }
        }
    }

    // ---- helpers ----

    private static void send(Socket s, GatewayHarness gw, String prompt, String... headers) throws Exception {
        String body = messages(MODEL, true, prompt);
        StringBuilder head = new StringBuilder("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ")
                .append(gw.key)
                .append("\r\ncontent-type: application/json\r\ncontent-length: ")
                .append(body.getBytes(StandardCharsets.UTF_8).length)
                .append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        OutputStream out = s.getOutputStream();
        out.write((head + "\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void readUntil(InputStream in, String marker) throws Exception {
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) {
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (seen.indexOf(marker) >= 0) {
                return;
            }
        }
        throw new AssertionError("stream ended before " + marker + ": " + seen);
    }

    /** Waits until the mock's first exchange (the flood) stops growing: its stream is out of window. */
    private static RecordedExchange awaitStalled(MockUpstream mock) throws InterruptedException {
        RecordedExchange first = mock.awaitExchange(0, GatewayHarness.WAIT);
        long last = -1;
        for (int stable = 0; stable < 5; ) {
            Thread.sleep(200);
            first = mock.exchanges().get(0);
            stable = first.responseLength() == last && last > 0 ? stable + 1 : 0;
            last = first.responseLength();
        }
        return first;
    }

    /** The body without what differs between any two answers: ids and timestamps. */
    private static String masked(byte[] body) {
        return new String(body, StandardCharsets.UTF_8)
                .replaceAll("(msg|toolu)_[A-Za-z0-9]{24}", "$1_*")
                .replaceAll("\"id\":\"[^\"]*\"", "\"id\":*")
                .replaceAll("\"created(_at)?\":[0-9]+", "\"created\":*");
    }

    private static Set<String> headerNames(HttpResponse<?> r) {
        return new TreeSet<>(r.headers().map().keySet());
    }
}
