package io.relaygate.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Reads claims out of a ChatGPT access token (a JWT whose payload carries {@code exp} and
 * {@code "https://api.openai.com/auth": {"chatgpt_account_id": …}}). The signature is not checked: the token is ours
 * to send, not to trust, and the upstream checks it.
 */
final class ChatGptTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH_CLAIM = "https://api.openai.com/auth";

    private ChatGptTokens() {}

    /** The account id, or null when the token is not a JWT or carries none. */
    static @Nullable String accountId(String token) {
        JsonNode id = claims(token).path(AUTH_CLAIM).path("chatgpt_account_id");
        return id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
    }

    /** When the token expires ({@code exp}), or null when it does not say. */
    static @Nullable Instant expiry(String token) {
        JsonNode exp = claims(token).path("exp");
        return exp.canConvertToLong() ? Instant.ofEpochSecond(exp.asLong()) : null;
    }

    private static JsonNode claims(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0) {
            return JSON.missingNode();
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            JsonNode n = JSON.readTree(payload);
            return n == null ? JSON.missingNode() : n;
        } catch (IllegalArgumentException | IOException e) {
            return JSON.missingNode();
        }
    }
}
