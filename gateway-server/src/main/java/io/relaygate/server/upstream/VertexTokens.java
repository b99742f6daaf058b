package io.relaygate.server.upstream;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.relaygate.core.Account;
import io.relaygate.core.Secrets;
import io.relaygate.core.VertexCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Exchanges a Vertex account's service account key for an access token with Google's auth library
 * ({@link ServiceAccountCredentials}: a JWT assertion signed with the key, posted to the key file's {@code token_uri}).
 * The library's HTTP call blocks, so it runs on a thread of its own, never on an event loop; its transport ({@link
 * GoogleTokenTransport}) sends it like the account's requests: through its proxy, with the proxy's credentials, and
 * trusting its certificates. {@link OAuthRefresher} calls this under its store lock, like the subscription tokens.
 */
final class VertexTokens {

    /** Vertex AI's calls need the cloud-platform scope. */
    static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

    /** A refused exchange (the key was revoked, the account removed, the assertion refused): the account's fault. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null);
        }
    }

    /** Token exchanges are rare (one an hour per account): one daemon thread serves them all. */
    private static final ExecutorService BLOCKING = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "relaygate-vertex-token");
        t.setDaemon(true);
        return t;
    });

    private VertexTokens() {}

    /** The credentials with a new access token; fails with {@link Refused} or another {@link IOException}. */
    static CompletableFuture<VertexCredentials> exchange(Account account, VertexCredentials v, TokenCalls calls) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return exchangeBlocking(account, v, calls);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                },
                BLOCKING);
    }

    private static VertexCredentials exchangeBlocking(Account account, VertexCredentials v, TokenCalls calls)
            throws IOException {
        GoogleTokenTransport transport = new GoogleTokenTransport(calls, account);
        GoogleCredentials credentials;
        try (InputStream in = new ByteArrayInputStream(v.serviceAccount().getBytes(StandardCharsets.UTF_8))) {
            credentials =
                    ServiceAccountCredentials.fromStream(in, () -> transport).createScoped(SCOPES);
        } catch (IOException e) {
            throw new Refused("the service account key is not usable");
        }
        AccessToken token;
        try {
            token = credentials.refreshAccessToken();
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            int status = status(why);
            if (status >= 400 && status < 500) {
                throw new Refused("token exchange refused (HTTP " + status + ")" + reason(why));
            }
            throw new IOException("token endpoint unreachable: " + Secrets.redact(firstLine(why)));
        }
        Instant expires = token.getExpirationTime() == null
                ? Instant.now().plusSeconds(3600)
                : token.getExpirationTime().toInstant();
        return v.withAccess(token.getTokenValue(), expires);
    }

    /** The HTTP status Google's library puts in its message ("Error getting access token …: 400 Bad Request"). */
    private static int status(String message) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile(": (\\d{3}) ").matcher(message);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The endpoint's {@code error} and {@code error_description}, never the assertion. */
    private static String reason(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\"error\"\\s*:\\s*\"([^\"]{1,80})\"(?:.*\"error_description\"\\s*:\\s*\"([^\"]{1,200})\")?",
                        java.util.regex.Pattern.DOTALL)
                .matcher(message);
        if (!m.find()) {
            return "";
        }
        return Secrets.redact(": " + m.group(1) + (m.group(2) == null ? "" : ": " + m.group(2)));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    static @Nullable Throwable unwrap(@Nullable Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
