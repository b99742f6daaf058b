package io.relaygate.bench.mock;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.core.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The mock's OAuth side, for {@code claude-oauth} and {@code codex-oauth} accounts: two token endpoints and a bearer
 * check on the model endpoints, with switches and counters for tests ({@link MockUpstream#oauth()}).
 *
 * <p><b>Token endpoints</b> ({@code POST}, any path prefix), JSON or {@code application/x-www-form-urlencoded}:
 *
 * <ul>
 *   <li>{@code …/v1/oauth/token}: Claude's (Claude Code posts to {@code https://platform.claude.com/v1/oauth/token},
 *       formerly {@code console.anthropic.com}); answers {@code {token_type, access_token: "sk-ant-oat01-…",
 *       expires_in, refresh_token: "sk-ant-ort01-…", scope, organization, account}}; errors are RFC 6749 §5.2
 *       {@code {"error":"invalid_grant","error_description":…}} with status 400.
 *   <li>any other {@code …/oauth/token}: OpenAI's ({@code https://auth.openai.com/oauth/token}, as Codex uses it);
 *       answers {@code {id_token, access_token, refresh_token, expires_in, token_type, scope}} where both tokens are
 *       JWTs carrying {@code exp} and {@code "https://api.openai.com/auth": {chatgpt_account_id, chatgpt_plan_type,
 *       chatgpt_user_id}}. A refresh token used twice gets 401 {@code {"error":{…,"code":"refresh_token_reused"}}}, the
 *       answer Codex reports as "refresh token was already used".
 * </ul>
 *
 * <p>Grants: {@code authorization_code} takes a code from {@link #authorizationCode(String)} (PKCE S256 checked
 * against {@code code_verifier}) or any unregistered {@code mock-code-…} (no PKCE); each code works once.
 * {@code refresh_token} takes a refresh token the mock issued or a test seeded, and rotates it: the answer carries a
 * new refresh token and the old one is spent. Both grants need a {@code client_id} (any value). An unknown refresh
 * token gets 400 {@code invalid_grant} "Refresh token not found or invalid" (the real Claude endpoint's words; OpenAI
 * answers an unusable one with 400 {@code invalid_grant} too), a spent Claude one 400 {@code invalid_grant} "Refresh
 * token has already been used".
 *
 * <p><b>Bearer check</b> on the model endpoints: a bearer the mock issued or a test seeded must not be expired; a
 * Claude OAuth token ({@code sk-ant-oat…}) needs {@code anthropic-beta: oauth-2025-04-20}, as on the real API; a
 * JWT signed by a mock but unknown to this one is refused. Other credentials pass as before, and so do unknown
 * {@code sk-ant-oat…} tokens and foreign JWTs unless {@link #strict(boolean)} is on (existing tests send made-up
 * OAuth-looking tokens).
 *
 * <p>Thread-safe: the event loops and the test thread share it under its monitor. It never logs; token values appear
 * only in answers and in the recorded exchanges.
 */
public final class MockOAuth {

    /** The {@code anthropic-beta} flag that Claude OAuth access tokens need on the Messages API. */
    public static final String OAUTH_BETA = "oauth-2025-04-20";

    public static final String DEFAULT_CHATGPT_ACCOUNT_ID = "acct-mock-0001";
    public static final String DEFAULT_CHATGPT_PLAN_TYPE = "plus";
    /** Codes with this prefix are accepted without registration (and without PKCE). */
    public static final String CODE_PREFIX = "mock-code-";

    static final String ANTHROPIC_ACCESS_PREFIX = "sk-ant-oat01-";
    static final String ANTHROPIC_REFRESH_PREFIX = "sk-ant-ort01-";
    static final String OPENAI_REFRESH_PREFIX = "rt_";

    /** Which token endpoint, and so which token shapes and error format. */
    public enum Provider {
        ANTHROPIC,
        OPENAI,
    }

    /**
     * One token answer the mock gave.
     *
     * @param grantType {@code authorization_code} or {@code refresh_token}
     * @param idToken the OpenAI id token, null for Claude
     */
    public record Issued(
            Provider provider,
            String grantType,
            String accessToken,
            String refreshToken,
            @Nullable String idToken,
            Instant expiresAt) {

        public Issued {
            requireNonNull(provider, "provider");
            requireNonNull(grantType, "grantType");
            requireNonNull(accessToken, "accessToken");
            requireNonNull(refreshToken, "refreshToken");
            requireNonNull(expiresAt, "expiresAt");
        }

        /** Without the token values, so that an assertion message never prints them whole. */
        @Override
        public String toString() {
            return "Issued[" + provider + ", " + grantType + ", access " + prefix(accessToken) + "…, refresh "
                    + prefix(refreshToken) + "…, expires " + expiresAt + "]";
        }

        private static String prefix(String token) {
            return token.substring(0, Math.min(token.length(), 12));
        }
    }

    /** A token endpoint answer and the scenario name the exchange is recorded under. */
    record Answer(int status, String body, String scenario) {}

    /** Why a model request's bearer is refused (401), in words and an OpenAI error code. */
    record Rejection(String message, @Nullable String code) {}

    private final Duration defaultExpiresIn;
    private Clock clock = Clock.systemUTC();
    private Duration expiresIn;
    private Duration delay = Duration.ZERO;
    private int failStatus;
    private String failError = "";
    private boolean strict;
    private String accountId = DEFAULT_CHATGPT_ACCOUNT_ID;
    private String planType = DEFAULT_CHATGPT_PLAN_TYPE;

    /** Registered authorization codes and their S256 challenges ("" for none). */
    private final Map<String, String> codes = new HashMap<>();

    private final Set<String> spentCodes = new HashSet<>();
    private final Set<String> refreshTokens = new HashSet<>();
    private final Set<String> spentRefreshTokens = new HashSet<>();
    private final Map<String, Instant> accessTokens = new HashMap<>();
    private final List<Issued> issued = new ArrayList<>();
    private int refreshCalls;

    MockOAuth(Duration expiresIn) {
        this.defaultExpiresIn = expiresIn;
        this.expiresIn = expiresIn;
    }

    // ---- test-facing switches and helpers ----

    /** Mints a one-time authorization code without PKCE. */
    public synchronized String authorizationCode() {
        String code = CODE_PREFIX + Ids.random(32);
        codes.put(code, "");
        return code;
    }

    /**
     * Mints a one-time authorization code bound to a PKCE S256 {@code codeChallenge} (see {@link #s256(String)}); the
     * exchange must bring the matching {@code code_verifier}.
     */
    public synchronized String authorizationCode(String codeChallenge) {
        requireNonNull(codeChallenge, "codeChallenge");
        String code = CODE_PREFIX + Ids.random(32);
        codes.put(code, codeChallenge);
        return code;
    }

    /** The PKCE S256 challenge of {@code verifier}: base64url(SHA-256(verifier)) without padding (RFC 7636 §4.2). */
    public static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Makes {@code refreshToken} valid on either token endpoint, as if the mock had issued it. */
    public synchronized void seedRefreshToken(String refreshToken) {
        requireNonNull(refreshToken, "refreshToken");
        spentRefreshTokens.remove(refreshToken);
        refreshTokens.add(refreshToken);
    }

    /** Makes {@code accessToken} a token the mock issued, valid until {@code expiresAt} (in the past: expired). */
    public synchronized void seedAccessToken(String accessToken, Instant expiresAt) {
        requireNonNull(accessToken, "accessToken");
        requireNonNull(expiresAt, "expiresAt");
        accessTokens.put(accessToken, expiresAt);
    }

    /** Lifetime of access tokens issued from now on; starts at {@link MockOptions#oauthExpiresIn()}. */
    public synchronized void expiresIn(Duration value) {
        requireNonNull(value, "value");
        if (value.isNegative()) {
            throw new IllegalArgumentException("expiresIn: " + value + " (expected: >= 0)");
        }
        expiresIn = value;
    }

    /** Holds every token endpoint answer back by {@code value} (the grant is decided on arrival). */
    public synchronized void delay(Duration value) {
        requireNonNull(value, "value");
        if (value.isNegative()) {
            throw new IllegalArgumentException("delay: " + value + " (expected: >= 0)");
        }
        delay = value;
    }

    /**
     * Answers every refresh from now on with {@code status} and {@code error} as the error code, rotating nothing,
     * until {@link #clearFailure()}; {@code status} must be 400..599.
     */
    public synchronized void failRefresh(int status, String error) {
        requireNonNull(error, "error");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 400..599)");
        }
        failStatus = status;
        failError = error;
    }

    public synchronized void clearFailure() {
        failStatus = 0;
        failError = "";
    }

    /** The {@code chatgpt_account_id} of OpenAI tokens issued from now on. */
    public synchronized void chatgptAccountId(String value) {
        accountId = requireNonNull(value, "value");
    }

    /** The {@code chatgpt_plan_type} of OpenAI tokens issued from now on. */
    public synchronized void chatgptPlanType(String value) {
        planType = requireNonNull(value, "value");
    }

    /**
     * Strict: also refuse (401) {@code sk-ant-oat…} bearers and JWT bearers that the mock neither issued nor was
     * seeded with. Off by default.
     */
    public synchronized void strict(boolean value) {
        strict = value;
    }

    /** The clock that stamps and checks expiry (e.g. {@code Clock.offset(…)} to age every token at once). */
    public synchronized void clock(Clock value) {
        clock = requireNonNull(value, "value");
    }

    /** Refresh requests received (grant {@code refresh_token}), whatever their answer. */
    public synchronized int refreshCalls() {
        return refreshCalls;
    }

    /** Every token set the endpoints issued, in order. */
    public synchronized List<Issued> issued() {
        return List.copyOf(issued);
    }

    /** Forgets counters and the issued list ({@link MockUpstream#reset()} does this); tokens and switches stay. */
    public synchronized void clearRecords() {
        refreshCalls = 0;
        issued.clear();
    }

    /** Back to the start: no codes or tokens, default switches, clock and claims, zero counters. */
    public synchronized void reset() {
        clearRecords();
        codes.clear();
        spentCodes.clear();
        refreshTokens.clear();
        spentRefreshTokens.clear();
        accessTokens.clear();
        clock = Clock.systemUTC();
        expiresIn = defaultExpiresIn;
        delay = Duration.ZERO;
        clearFailure();
        strict = false;
        accountId = DEFAULT_CHATGPT_ACCOUNT_ID;
        planType = DEFAULT_CHATGPT_PLAN_TYPE;
    }

    synchronized long delayMillis() {
        return delay.toMillis();
    }

    // ---- the token endpoints ----

    /** Decides a token request at once (the handler may delay sending the answer). */
    synchronized Answer token(Provider provider, @Nullable String contentType, byte[] body) {
        Map<String, String> p = OAuthWire.params(contentType, body);
        if (p == null) {
            return error(400, "invalid_request", "Request body is neither JSON nor form-encoded", "oauth-bad-request");
        }
        String grant = p.getOrDefault("grant_type", "");
        String scenario = "oauth-" + (grant.isEmpty() ? "no-grant" : grant);
        if (grant.equals("refresh_token")) {
            refreshCalls++;
        }
        if (p.getOrDefault("client_id", "").isEmpty()) {
            return error(400, "invalid_request", "Missing client_id", scenario);
        }
        switch (grant) {
            case "authorization_code":
                return authorizationCodeGrant(provider, p, scenario);
            case "refresh_token":
                return refreshGrant(provider, p.getOrDefault("refresh_token", ""), scenario);
            default:
                return error(400, "unsupported_grant_type", "Unsupported grant_type: " + grant, scenario);
        }
    }

    private Answer authorizationCodeGrant(Provider provider, Map<String, String> p, String scenario) {
        String code = p.getOrDefault("code", "");
        String challenge = codes.remove(code);
        if (challenge == null && (!code.startsWith(CODE_PREFIX) || spentCodes.contains(code))) {
            return error(400, "invalid_grant", "Invalid authorization code", scenario);
        }
        // Spent by its first exchange, even a failed one: a code "MUST NOT be used more than once" (RFC 6749 §4.1.2).
        spentCodes.add(code);
        if (challenge != null && !challenge.isEmpty()) {
            String verifier = p.getOrDefault("code_verifier", "");
            if (verifier.isEmpty() || !s256(verifier).equals(challenge)) {
                return error(400, "invalid_grant", "Invalid code_verifier", scenario);
            }
        }
        return issue(provider, "authorization_code", scenario);
    }

    private Answer refreshGrant(Provider provider, String token, String scenario) {
        if (failStatus != 0) {
            String message = "Refresh failed (mock failure switch)";
            if (provider == Provider.OPENAI) {
                String type = failStatus >= 500 ? "server_error" : "invalid_request_error";
                return new Answer(failStatus, MockErrors.openAiError(message, type, failError), scenario);
            }
            return error(failStatus, failError, message, scenario);
        }
        if (refreshTokens.remove(token)) {
            spentRefreshTokens.add(token);
            return issue(provider, "refresh_token", scenario);
        }
        if (spentRefreshTokens.contains(token)) {
            if (provider == Provider.OPENAI) {
                return new Answer(
                        401,
                        MockErrors.openAiError(
                                "Your refresh token has already been used to generate a new access token."
                                        + " Please try signing in again.",
                                "invalid_request_error",
                                "refresh_token_reused"),
                        scenario);
            }
            return error(400, "invalid_grant", "Refresh token has already been used", scenario);
        }
        return error(400, "invalid_grant", "Refresh token not found or invalid", scenario);
    }

    private Answer issue(Provider provider, String grant, String scenario) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(expiresIn);
        String access;
        String refresh;
        String idToken = null;
        String body;
        if (provider == Provider.ANTHROPIC) {
            access = ANTHROPIC_ACCESS_PREFIX + Ids.random(64);
            refresh = ANTHROPIC_REFRESH_PREFIX + Ids.random(64);
            body = OAuthWire.claudeTokens(access, refresh, expiresIn);
        } else {
            access = MockJwt.sign(OAuthWire.openAiClaims(now, expiresAt, OAuthWire.API_AUDIENCE, accountId, planType));
            idToken =
                    MockJwt.sign(OAuthWire.openAiClaims(now, expiresAt, OAuthWire.CLIENT_AUDIENCE, accountId, planType)
                            .put("email", OAuthWire.EMAIL));
            refresh = OPENAI_REFRESH_PREFIX + Ids.random(64);
            body = OAuthWire.openAiTokens(idToken, access, refresh, expiresIn);
        }
        accessTokens.put(access, expiresAt);
        refreshTokens.add(refresh);
        issued.add(new Issued(provider, grant, access, refresh, idToken, expiresAt));
        return new Answer(200, body, scenario);
    }

    private static Answer error(int status, String error, String description, String scenario) {
        return new Answer(status, OAuthWire.error(error, description), scenario);
    }

    // ---- the bearer check on model endpoints ----

    /** Null when the request may go on; else why its bearer is refused. */
    synchronized @Nullable Rejection checkBearer(WireApi api, HttpHeaders headers) {
        String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = auth.substring(7).trim();
        Instant expiresAt = accessTokens.get(token);
        if (api == WireApi.ANTHROPIC && token.startsWith("sk-ant-oat")) {
            if (!hasOAuthBeta(headers)) {
                // The real API's words when the beta flag is missing.
                return new Rejection("OAuth authentication is currently not supported.", null);
            }
            if (expiresAt == null) {
                return strict ? new Rejection("Invalid authentication credentials", null) : null;
            }
        } else if (expiresAt == null) {
            boolean refuse = api.openAi() && (MockJwt.isMockToken(token) || (strict && MockJwt.looksLikeJwt(token)));
            return refuse ? new Rejection("Invalid authentication token.", "invalid_api_key") : null;
        }
        if (!clock.instant().isBefore(expiresAt)) {
            return api.openAi()
                    ? new Rejection(
                            "Provided authentication token is expired. Please try signing in again.", "token_expired")
                    : new Rejection(
                            "OAuth token has expired. Please obtain a new token or refresh your existing token.", null);
        }
        return null;
    }

    private static boolean hasOAuthBeta(HttpHeaders headers) {
        for (String value : headers.getAll("anthropic-beta")) {
            for (String flag : value.split(",")) {
                if (flag.trim().equals(OAUTH_BETA)) {
                    return true;
                }
            }
        }
        return false;
    }
}
