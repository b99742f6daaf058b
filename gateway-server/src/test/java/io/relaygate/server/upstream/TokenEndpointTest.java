package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.core.config.UpstreamConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One POST to a loopback socket that answers as each test scripts it. */
class TokenEndpointTest {

    private ServerSocket server;
    private TokenEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        endpoint = TokenEndpoint.standalone(UpstreamConfig.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.close();
        server.close();
    }

    /** Accepts one connection, reads the request head and body, writes {@code answer}; completes with the request. */
    private CompletableFuture<String> answerOnce(byte[] answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                String request = readRequest(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write(answer);
                out.flush();
                return request;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    private static String readRequest(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            head.write(in.read());
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).trim());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1/oauth/token?x=1";
    }

    @Test
    void postsTheJsonAndHandsBackStatusAndBodyWhateverTheStatus() throws Exception {
        byte[] body = "{\"error\":\"invalid_grant\"}".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<String> request = answerOnce(("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
                        + "content-length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));

        TokenEndpoint.Answer answer = endpoint.post("token endpoint", url(), null, null, "{\"grant_type\":\"x\"}")
                .get(10, TimeUnit.SECONDS);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"invalid_grant\"}");
        String sent = request.get(5, TimeUnit.SECONDS);
        assertThat(sent)
                .as("path and query of the URL, the JSON body, its length")
                .startsWith("POST /v1/oauth/token?x=1 HTTP/1.1\r\n")
                .containsIgnoringCase("content-type: application/json")
                .containsIgnoringCase("content-length: 18")
                .endsWith("{\"grant_type\":\"x\"}");
    }

    @Test
    void anAnswerOverTheLimitFailsAsUnreachableInsteadOfGrowingTheHeap() {
        int size = TokenEndpoint.MAX_ANSWER_BYTES + 1;
        answerOnce(("HTTP/1.1 200 OK\r\ncontent-length: " + size + "\r\n\r\n" + "x".repeat(size))
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() ->
                        endpoint.post("token endpoint", url(), null, null, "{}").get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TokenEndpoint.Unreachable.class);
    }

    @Test
    void aConnectionClosedBeforeAnAnswerFailsAsUnreachable() {
        answerOnce(new byte[0]);

        assertThatThrownBy(() ->
                        endpoint.post("token endpoint", url(), null, null, "{}").get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TokenEndpoint.Unreachable.class)
                .cause()
                .hasMessageContaining("connection closed before a whole answer");
    }

    @Test
    void anInvalidProxyIsAnIllegalArgumentNamingItWithoutItsPassword() {
        assertThatThrownBy(() -> endpoint.post("token endpoint of account max", url(), "socks5://u:s3cret@", null, "{}")
                        .join())
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .cause()
                .hasMessageContaining("proxy of token endpoint of account max")
                .hasMessageNotContaining("s3cret");
    }
}
