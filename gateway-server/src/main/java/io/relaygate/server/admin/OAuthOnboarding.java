package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.Secrets;
import io.relaygate.server.upstream.TokenEndpoint;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Signing subscription accounts in from the CLI: a PKCE authorization URL for Claude, the exchange of the code the
 * browser shows for a token set, a refresh token imported as is, and a Codex CLI {@code auth.json} imported. The
 * results are token sets ({@link OAuthTokens}) stored as the account's encrypted credential.
 */
public final class OAuthOnboarding {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OAuthOnboarding() {}

    /** A PKCE pair and a state value for one sign-in. */
    public record Pkce(String verifier, String challenge, String state) {

        public static Pkce create() {
            String verifier = base64Url(Ids.randomBytes(32));
            try {
                byte[] digest =
                        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, base64Url(digest), base64Url(Ids.randomBytes(16)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Claude's authorization URL for {@code pkce}. */
    public static String claudeAuthorizeUrl(Pkce pkce, String authorizeUrl, String clientId) {
        return authorizeUrl + "?code=true&client_id=" + enc(clientId) + "&response_type=code&redirect_uri="
                + enc(OAuthTokens.CLAUDE_REDIRECT_URI) + "&scope=" + enc(OAuthTokens.CLAUDE_SCOPES)
                + "&code_challenge=" + pkce.challenge() + "&code_challenge_method=S256&state=" + pkce.state();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A token set that holds only a refresh token: the gateway gets the first access token on first use. */
    public static OAuthTokens fromRefreshToken(
            String refreshToken, @Nullable String tokenUrl, @Nullable String clientId) {
        return new OAuthTokens("", refreshToken.trim(), Instant.EPOCH, tokenUrl, clientId, null);
    }

    /** Reads Codex CLI's {@code auth.json} ({@code {"tokens": {"access_token", "refresh_token", "account_id"}}}). */
    public static OAuthTokens fromCodexAuthFile(Path file, @Nullable String tokenUrl, @Nullable String clientId) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UsageException("--codex-auth-file: cannot read " + file + " as JSON");
        }
        return fromCodexAuth(root, file.toString(), tokenUrl, clientId);
    }

    /** The same, from the file's content. */
    public static OAuthTokens fromCodexAuth(
            JsonNode root, String what, @Nullable String tokenUrl, @Nullable String clientId) {
        JsonNode tokens = root.path("tokens");
        String access = tokens.path("access_token").asText("");
        String refresh = tokens.path("refresh_token").asText("");
        if (refresh.isEmpty()) {
            throw new UsageException(
                    "--codex-auth-file: " + what + " holds no tokens.refresh_token (sign in with `codex login` first)");
        }
        String accountId = tokens.path("account_id").isTextual()
                ? tokens.path("account_id").asText()
                : null;
        // Refreshed on first use: the file does not say when its access token expires.
        return new OAuthTokens(access, refresh, Instant.EPOCH, tokenUrl, clientId, accountId);
    }

    /**
     * Exchanges the code Claude's sign-in page shows ({@code code#state}) for a token set, through the account's
     * {@code proxy} (null: direct) and trusting its {@code trustCertificates} (null: the JDK's), like its later
     * refreshes. Blocks until the endpoint answers (at most the token call's timeout): call it off any event loop.
     *
     * @throws UsageException naming the endpoint's refusal (never a token)
     */
    public static OAuthTokens exchangeClaudeCode(
            TokenEndpoint endpoint,
            String pastedCode,
            String verifier,
            @Nullable String tokenUrl,
            @Nullable String clientId,
            @Nullable String proxy,
            @Nullable String trustCertificates) {
        String code = pastedCode.trim();
        String state = null;
        int hash = code.indexOf('#');
        if (hash >= 0) {
            state = code.substring(hash + 1);
            code = code.substring(0, hash);
        }
        String url = tokenUrl != null ? tokenUrl : OAuthTokens.defaultTokenUrl(AccountKind.CLAUDE_OAUTH);
        String client = clientId != null ? clientId : OAuthTokens.defaultClientId(AccountKind.CLAUDE_OAUTH);
        ObjectNode body = JSON.createObjectNode()
                .put("grant_type", "authorization_code")
                .put("code", code)
                .put("redirect_uri", OAuthTokens.CLAUDE_REDIRECT_URI)
                .put("client_id", client)
                .put("code_verifier", verifier);
        if (state != null) {
            body.put("state", state);
        }
        TokenEndpoint.Answer response;
        try {
            response = endpoint.post("token endpoint", url, proxy, trustCertificates, body.toString())
                    .join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new UsageException("--oauth-code: " + Secrets.redact(String.valueOf(cause.getMessage())));
        }
        JsonNode n;
        try {
            n = JSON.readTree(response.body());
        } catch (IOException e) {
            n = JSON.missingNode();
        }
        if (response.status() != 200 || !n.path("access_token").isTextual()) {
            String error = n.path("error").isTextual() ? n.path("error").asText() : "";
            String description = n.path("error_description").asText("");
            throw new UsageException("--oauth-code: the token endpoint refused the code (HTTP " + response.status()
                    + (error.isEmpty() ? "" : ", " + error) + (description.isEmpty() ? "" : ": " + description)
                    + ")");
        }
        Instant expires = n.path("expires_in").canConvertToLong()
                ? Instant.now().plusSeconds(n.path("expires_in").asLong())
                : null;
        return new OAuthTokens(
                n.path("access_token").asText(),
                n.path("refresh_token").isTextual() ? n.path("refresh_token").asText() : null,
                expires,
                tokenUrl,
                clientId,
                null);
    }
}
