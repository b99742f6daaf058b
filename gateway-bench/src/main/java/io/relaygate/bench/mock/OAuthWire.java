package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The token endpoints' wire format, without state: request parameters from JSON or a form, the success bodies of
 * Claude's and OpenAI's endpoints, the OpenAI token claims, and RFC 6749 §5.2 error bodies.
 */
final class OAuthWire {

    static final String API_AUDIENCE = "https://api.openai.com/v1";
    static final String CLIENT_AUDIENCE = "app_relaygate_mock";
    static final String EMAIL = "mock@relaygate.invalid";

    private static final String AUTH_CLAIM = "https://api.openai.com/auth";
    private static final String CLAUDE_SCOPE = "user:inference user:profile";
    private static final String OPENAI_SCOPE = "openid profile email offline_access";

    private OAuthWire() {}

    /** Claude's answer: {@code {token_type, access_token, expires_in, refresh_token, scope, organization, account}}. */
    static String claudeTokens(String access, String refresh, Duration expiresIn) {
        ObjectNode out = AnthropicScript.JSON
                .createObjectNode()
                .put("token_type", "Bearer")
                .put("access_token", access)
                .put("expires_in", expiresIn.toSeconds())
                .put("refresh_token", refresh)
                .put("scope", CLAUDE_SCOPE);
        out.putObject("organization")
                .put("uuid", "00000000-0000-4000-8000-00000000a001")
                .put("name", "Relaygate mock organization");
        out.putObject("account")
                .put("uuid", "00000000-0000-4000-8000-00000000b001")
                .put("email_address", EMAIL);
        return out.toString();
    }

    /** OpenAI's answer: {@code {id_token, access_token, refresh_token}} (what Codex reads) plus the usual extras. */
    static String openAiTokens(String idToken, String access, String refresh, Duration expiresIn) {
        return AnthropicScript.JSON
                .createObjectNode()
                .put("id_token", idToken)
                .put("access_token", access)
                .put("refresh_token", refresh)
                .put("expires_in", expiresIn.toSeconds())
                .put("token_type", "Bearer")
                .put("scope", OPENAI_SCOPE)
                .toString();
    }

    /** The claims of an OpenAI access or id token, ChatGPT's under {@code "https://api.openai.com/auth"}. */
    static ObjectNode openAiClaims(Instant now, Instant expiresAt, String audience, String accountId, String plan) {
        ObjectNode claims = AnthropicScript.JSON
                .createObjectNode()
                .put("iss", "https://auth.openai.com")
                .put("aud", audience)
                .put("sub", "mock-user-0001")
                .put("iat", now.getEpochSecond())
                .put("exp", expiresAt.getEpochSecond())
                .put("jti", Ids.random(24));
        claims.putObject(AUTH_CLAIM)
                .put("chatgpt_account_id", accountId)
                .put("chatgpt_plan_type", plan)
                .put("chatgpt_user_id", "user-mock-0001");
        return claims;
    }

    /** {@code {"error": …, "error_description": …}} (RFC 6749 §5.2), which both endpoints use for a refused grant. */
    static String error(String error, String description) {
        return AnthropicScript.JSON
                .createObjectNode()
                .put("error", error)
                .put("error_description", description)
                .toString();
    }

    /** The request's parameters from a JSON object or a form; null when the body is neither. */
    static @Nullable Map<String, String> params(@Nullable String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        String text = new String(body, StandardCharsets.UTF_8);
        boolean form = type.startsWith("application/x-www-form-urlencoded")
                || (!type.contains("json") && !text.stripLeading().startsWith("{"));
        Map<String, String> out = new HashMap<>();
        if (form) {
            QueryStringDecoder decoder = new QueryStringDecoder(text, StandardCharsets.UTF_8, false);
            for (Map.Entry<String, List<String>> e : decoder.parameters().entrySet()) {
                if (!e.getValue().isEmpty()) {
                    out.put(e.getKey(), e.getValue().get(0));
                }
            }
            return out;
        }
        JsonNode root;
        try {
            root = AnthropicScript.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject()) {
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }
}
