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

    /** ChatGPT's authorization endpoint, as Codex CLI's {@code codex login} opens it. */
    public static final String CODEX_AUTHORIZE_URL = "https://auth.openai.com/oauth/authorize";

    /**
     * Where ChatGPT's sign-in sends the browser: Codex CLI's local callback. Nothing listens there when the gateway
     * signs in, so the browser shows an error page whose address (with {@code code} and {@code state}) the operator
     * copies back.
     */
    public static final String CODEX_REDIRECT_URI = "http://localhost:1455/auth/callback";

    public static final String CODEX_SCOPES = "openid profile email offline_access";

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

    /** ChatGPT's authorization URL for {@code pkce}, with the parameters Codex CLI's sign-in sends. */
    public static String codexAuthorizeUrl(Pkce pkce, String authorizeUrl, String clientId) {
        return authorizeUrl + "?response_type=code&client_id=" + enc(clientId) + "&redirect_uri="
                + enc(CODEX_REDIRECT_URI) + "&scope=" + enc(CODEX_SCOPES) + "&code_challenge=" + pkce.challenge()
                + "&code_challenge_method=S256&id_token_add_organizations=true&codex_cli_simplified_flow=true"
                + "&state=" + pkce.state();
    }

    /**
     * The code in what the operator pasted after a ChatGPT sign-in: the whole callback address
     * ({@code http://localhost:1455/auth/callback?code=…&state=…}), its query, or the bare code.
     */
    static String codexCode(String pasted) {
        String s = pasted.trim();
        int q = s.indexOf('?');
        String query = q >= 0 ? s.substring(q + 1) : s;
        if (!query.contains("code=")) {
            return s;
        }
        for (String part : query.split("&")) {
            if (part.startsWith("code=")) {
                return java.net.URLDecoder.decode(part.substring(5), StandardCharsets.UTF_8);
            }
        }
        return s;
    }

    /**
     * Exchanges the code of a ChatGPT sign-in ({@link #codexCode} reads it from what was pasted) for a token set,
     * through the account's {@code proxy}, like {@link #exchangeClaudeCode}. The ChatGPT account id is read from the
     * access token when requests go out. Blocks: call it off any event loop.
     *
     * @throws UsageException naming the endpoint's refusal (never a token)
     */
    public static OAuthTokens exchangeCodexCode(
            TokenEndpoint endpoint,
            String pasted,
            String verifier,
            @Nullable String tokenUrl,
            @Nullable String clientId,
            @Nullable String proxy,
            @Nullable String trustCertificates) {
        String url = tokenUrl != null ? tokenUrl : OAuthTokens.defaultTokenUrl(AccountKind.CODEX_OAUTH);
        String client = clientId != null ? clientId : OAuthTokens.defaultClientId(AccountKind.CODEX_OAUTH);
        ObjectNode body = JSON.createObjectNode()
                .put("grant_type", "authorization_code")
                .put("code", codexCode(pasted))
                .put("redirect_uri", CODEX_REDIRECT_URI)
                .put("client_id", client)
                .put("code_verifier", verifier);
        // form-encoded, as Codex CLI sends its code exchange (its refreshes are JSON)
        return exchange(endpoint, url, proxy, trustCertificates, body, tokenUrl, clientId, true);
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
        return exchange(endpoint, url, proxy, trustCertificates, body, tokenUrl, clientId, false);
    }

    private static OAuthTokens exchange(
            TokenEndpoint endpoint,
            String url,
            @Nullable String proxy,
            @Nullable String trustCertificates,
            ObjectNode body,
            @Nullable String tokenUrl,
            @Nullable String clientId,
            boolean form) {
        TokenEndpoint.Answer response;
        try {
            if (form) {
                StringBuilder text = new StringBuilder();
                body.fields().forEachRemaining(e -> text.append(text.length() == 0 ? "" : "&")
                        .append(enc(e.getKey()))
                        .append('=')
                        .append(enc(e.getValue().asText())));
                io.netty.handler.codec.http.HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders()
                        .set("content-type", "application/x-www-form-urlencoded");
                response = endpoint.post("token endpoint", url, proxy, trustCertificates, text.toString(), headers)
                        .join();
            } else {
                response = endpoint.post("token endpoint", url, proxy, trustCertificates, body.toString())
                        .join();
            }
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
