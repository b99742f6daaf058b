package io.relaygate.server.upstream;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relaygate.core.Account;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Google's HTTP client transport for one Vertex account's token exchange, sending each request through {@link
 * TokenCalls} (in the gateway: {@link TokenEndpoint}), so the call goes the way the account's requests go: on Netty,
 * through its proxy with the proxy's credentials ({@code socks5://user:pass@…} or {@code http://user:pass@…}, which
 * the JDK's HTTP client would not send per call) and trusting its certificates. The auth library calls it from {@link
 * VertexTokens}' own thread, never an event loop, so waiting for the answer here blocks nothing of the gateway's.
 *
 * <p>Only POSTs are sent (the service-account flow makes one); the answer is read whole (a token answer is small).
 */
final class GoogleTokenTransport extends HttpTransport {

    private final TokenCalls calls;
    private final Account account;

    GoogleTokenTransport(TokenCalls calls, Account account) {
        this.calls = calls;
        this.account = account;
    }

    @Override
    public boolean supportsMethod(String method) {
        return method.equals("POST");
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) {
        return new Request(url);
    }

    private final class Request extends LowLevelHttpRequest {
        private final String url;
        private final HttpHeaders headers = new DefaultHttpHeaders();

        Request(String url) {
            this.url = url;
        }

        @Override
        public void addHeader(String name, String value) {
            // the endpoint's connection has its own length, host and encoding
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("accept-encoding")) {
                headers.add(name, value);
            }
        }

        @Override
        public LowLevelHttpResponse execute() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (getStreamingContent() != null) {
                getStreamingContent().writeTo(out);
            }
            String type = getContentType();
            if (type != null) {
                headers.set("content-type", type);
            }
            try {
                TokenEndpoint.Answer answer = calls.post(
                                "token endpoint of account " + account.name(),
                                url,
                                account.proxy(),
                                account.trustCertificates(),
                                out.toString(StandardCharsets.UTF_8),
                                headers)
                        .get(TokenEndpoint.CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                return new Response(answer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("token exchange interrupted");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IOException(String.valueOf(cause.getMessage()), null);
            } catch (TimeoutException e) {
                throw new IOException("no answer from the token endpoint in time", null);
            }
        }
    }

    private static final class Response extends LowLevelHttpResponse {
        private final TokenEndpoint.Answer answer;
        private final byte[] body;

        Response(TokenEndpoint.Answer answer) {
            this.answer = answer;
            this.body = answer.body();
        }

        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public @Nullable String getContentEncoding() {
            return null;
        }

        @Override
        public long getContentLength() {
            return body.length;
        }

        @Override
        public String getContentType() {
            return "application/json; charset=UTF-8";
        }

        @Override
        public String getStatusLine() {
            return "HTTP/1.1 " + answer.status() + " " + getReasonPhrase();
        }

        @Override
        public int getStatusCode() {
            return answer.status();
        }

        @Override
        public String getReasonPhrase() {
            return HttpResponseStatus.valueOf(answer.status()).reasonPhrase();
        }

        @Override
        public int getHeaderCount() {
            return 1;
        }

        @Override
        public String getHeaderName(int index) {
            return "Content-Type";
        }

        @Override
        public String getHeaderValue(int index) {
            return getContentType();
        }
    }
}
