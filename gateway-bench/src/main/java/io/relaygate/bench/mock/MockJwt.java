package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The mock's JSON Web Tokens (RFC 7519) for the OpenAI token endpoint: HS256 with a fixed key, a {@code kid} that
 * marks them as the mock's. Nobody is meant to verify the signature (the gateway reads ChatGPT tokens without checking
 * them); it is real only so that the tokens have the usual three parts.
 */
final class MockJwt {

    /** The {@code kid} header of every token the mock signs. */
    static final String KEY_ID = "relaygate-mock";

    private static final byte[] KEY = "relaygate-mock-hs256-signing-key".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private MockJwt() {}

    static String sign(ObjectNode payload) {
        ObjectNode header = AnthropicScript.JSON
                .createObjectNode()
                .put("alg", "HS256")
                .put("typ", "JWT")
                .put("kid", KEY_ID);
        String signingInput = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code token} is shaped like a JWT: three base64url parts, the first a JSON object. */
    static boolean looksLikeJwt(String token) {
        return part(token, 0) != null;
    }

    /** Whether {@code token} is a JWT whose header names the mock's key (signed by some mock, maybe another one). */
    static boolean isMockToken(String token) {
        JsonNode header = part(token, 0);
        return header != null && KEY_ID.equals(header.path("kid").asText(null));
    }

    /** Part {@code index} (0 header, 1 payload) decoded as JSON, or null when {@code token} is not a JWT. */
    static @Nullable JsonNode part(String token, int index) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].startsWith("eyJ")) {
            return null;
        }
        try {
            JsonNode node = AnthropicScript.JSON.readTree(Base64.getUrlDecoder().decode(parts[index]));
            return node != null && node.isObject() ? node : null;
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }
}
