package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The OAuth token set of a subscription account ({@code claude-oauth}, {@code codex-oauth}), kept as the account's
 * credential: encrypted at rest with it, never in {@link Account#toString()}. A credential that is not a token set
 * (a long-lived setup token, or an access token pasted by hand) is an access token without refresh.
 *
 * @param accessToken the bearer token sent upstream
 * @param refreshToken the token that gets a new access token; null when the account cannot refresh
 * @param expiresAt when the access token expires; null when unknown (never refreshed ahead of time)
 * @param tokenUrl the token endpoint; null for the kind's default ({@link #defaultTokenUrl(AccountKind)})
 * @param clientId the OAuth client id; null for the kind's default
 * @param accountId the ChatGPT account id ({@code codex-oauth}); null to read it from the access token
 */
public record OAuthTokens(
        String accessToken,
        @Nullable String refreshToken,
        @Nullable Instant expiresAt,
        @Nullable String tokenUrl,
        @Nullable String clientId,
        @Nullable String accountId) {

    /** Claude Code's OAuth client and token endpoint. */
    public static final String CLAUDE_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";

    /** Moved from console.anthropic.com (which now answers 404) in 2026. */
    public static final String CLAUDE_TOKEN_URL = "https://platform.claude.com/v1/oauth/token";

    public static final String CLAUDE_AUTHORIZE_URL = "https://claude.ai/oauth/authorize";
    public static final String CLAUDE_REDIRECT_URI = "https://platform.claude.com/oauth/code/callback";
    public static final String CLAUDE_SCOPES = "org:create_api_key user:profile user:inference";

    /** Codex CLI's OAuth client and token endpoint (ChatGPT sign-in). */
    public static final String CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

    public static final String CODEX_TOKEN_URL = "https://auth.openai.com/oauth/token";

    private static final ObjectMapper JSON = new ObjectMapper();

    public OAuthTokens {
        requireNonNull(accessToken, "accessToken");
    }

    /** Whether {@code kind} authenticates with OAuth tokens. */
    public static boolean isOAuth(AccountKind kind) {
        return kind == AccountKind.CLAUDE_OAUTH || kind == AccountKind.CODEX_OAUTH;
    }

    public static String defaultTokenUrl(AccountKind kind) {
        return kind == AccountKind.CODEX_OAUTH ? CODEX_TOKEN_URL : CLAUDE_TOKEN_URL;
    }

    public static String defaultClientId(AccountKind kind) {
        return kind == AccountKind.CODEX_OAUTH ? CODEX_CLIENT_ID : CLAUDE_CLIENT_ID;
    }

    /**
     * Token sets already read, by credential: a subscription account's credential is read on every request (is it
     * due? which bearer?), and it only changes when a refresh saves a new one. Bounded; cleared when full.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, OAuthTokens> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final int MAX_PARSED = 1024;

    /** Reads a stored credential: a token set written by {@link #encode()}, or a bare access token. */
    public static OAuthTokens parse(String credential) {
        OAuthTokens known = PARSED.get(credential);
        if (known != null) {
            return known;
        }
        OAuthTokens read = read(credential);
        if (PARSED.size() >= MAX_PARSED) {
            PARSED.clear();
        }
        PARSED.put(credential, read);
        return read;
    }

    private static OAuthTokens read(String credential) {
        String c = credential.trim();
        if (!c.startsWith("{")) {
            return new OAuthTokens(c, null, null, null, null, null);
        }
        try {
            JsonNode n = JSON.readTree(c);
            String access = text(n, "access_token");
            if (access == null) {
                throw new IllegalArgumentException("OAuth credential without access_token");
            }
            String expires = text(n, "expires_at");
            return new OAuthTokens(
                    access,
                    text(n, "refresh_token"),
                    expires == null ? null : Instant.parse(expires),
                    text(n, "token_url"),
                    text(n, "client_id"),
                    text(n, "account_id"));
        } catch (IOException | java.time.DateTimeException e) {
            // Never echo the credential itself.
            throw new IllegalArgumentException("OAuth credential is not a readable token set");
        }
    }

    /** The access token of a stored credential (a token set or a bare token). */
    public static String accessToken(String credential) {
        return parse(credential).accessToken();
    }

    /** The stored form: a small JSON object. */
    public String encode() {
        ObjectNode n = JSON.createObjectNode();
        n.put("access_token", accessToken);
        putIfSet(n, "refresh_token", refreshToken);
        putIfSet(n, "expires_at", expiresAt == null ? null : expiresAt.toString());
        putIfSet(n, "token_url", tokenUrl);
        putIfSet(n, "client_id", clientId);
        putIfSet(n, "account_id", accountId);
        return n.toString();
    }

    /** Whether the access token should be refreshed at {@code now}: it expires within {@code skewSeconds}. */
    public boolean dueAt(Instant now, long skewSeconds) {
        return expiresAt != null && !now.plusSeconds(skewSeconds).isBefore(expiresAt);
    }

    public OAuthTokens withAccess(String access, @Nullable String refresh, @Nullable Instant expires) {
        return new OAuthTokens(
                access, refresh == null ? refreshToken : refresh, expires, tokenUrl, clientId, accountId);
    }

    @Override
    public String toString() {
        return "OAuthTokens[accessToken=" + Secrets.mask(accessToken) + ", refreshToken="
                + (refreshToken == null ? "none" : Secrets.mask(refreshToken)) + ", expiresAt=" + expiresAt + "]";
    }

    private static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void putIfSet(ObjectNode n, String field, @Nullable String value) {
        if (value != null) {
            n.put(field, value);
        }
    }
}
