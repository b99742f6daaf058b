package io.relaygate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Reads the ChatGPT account id out of a ChatGPT access token (a JWT whose payload carries
 * {@code "https://api.openai.com/auth": {"chatgpt_account_id": …}}). The signature is not checked: the token is ours
 * to send, not to trust, and the upstream checks it.
 */
final class ChatGptTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH_CLAIM = "https://api.openai.com/auth";

    private ChatGptTokens() {}

    /** The account id, or null when the token is not a JWT or carries none. */
    static @Nullable String accountId(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0) {
            return null;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            JsonNode id = JSON.readTree(payload).path(AUTH_CLAIM).path("chatgpt_account_id");
            return id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }
}
