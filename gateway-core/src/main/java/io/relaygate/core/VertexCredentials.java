package io.relaygate.core;

import static io.relaygate.core.BedrockCredentials.put;
import static io.relaygate.core.BedrockCredentials.requireText;
import static io.relaygate.core.BedrockCredentials.text;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a {@code vertex} account authenticates with, kept as the account's credential (encrypted at rest with it): the
 * Google Cloud project and region, the service account's JSON key, and the access token last exchanged for it (with
 * its expiry), which the gateway refreshes before it expires. {@link #toString()} never shows a secret.
 *
 * @param project the Google Cloud project id
 * @param region the Vertex AI region, e.g. {@code us-east5}, or {@code global}
 * @param serviceAccount the service account key file's JSON, as Google issues it
 * @param accessToken the current access token; null before the first exchange
 * @param expiresAt when {@code accessToken} expires; null before the first exchange
 */
public record VertexCredentials(
        String project,
        String region,
        String serviceAccount,
        @Nullable String accessToken,
        @Nullable Instant expiresAt) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9\\-]{1,62}");
    private static final ConcurrentHashMap<String, VertexCredentials> PARSED = new ConcurrentHashMap<>();
    private static final int MAX_PARSED = 1024;

    public VertexCredentials {
        requireNonNull(project, "project");
        requireNonNull(region, "region");
        requireNonNull(serviceAccount, "serviceAccount");
        if (!NAME.matcher(project).matches()) {
            throw new IllegalArgumentException("project: " + project + " (expected: a Google Cloud project id)");
        }
        if (!NAME.matcher(region).matches()) {
            throw new IllegalArgumentException("region: " + region + " (expected: a Vertex AI region or global)");
        }
    }

    /** The Vertex AI endpoint of {@link #region()}. */
    public String defaultBaseUrl() {
        return region.equals("global")
                ? "https://aiplatform.googleapis.com"
                : "https://" + region + "-aiplatform.googleapis.com";
    }

    /** Whether the access token must be exchanged anew at {@code now}: none yet, or it expires within the skew. */
    public boolean dueAt(Instant now, long skewSeconds) {
        return accessToken == null
                || expiresAt == null
                || !now.plusSeconds(skewSeconds).isBefore(expiresAt);
    }

    public VertexCredentials withAccess(String token, Instant expires) {
        return new VertexCredentials(project, region, serviceAccount, token, expires);
    }

    /** The service account's e-mail address (its {@code client_email}), for messages; never a key. */
    public String clientEmail() {
        try {
            String email = text(JSON.readTree(serviceAccount), "client_email");
            return email == null ? "?" : email;
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Checks a service account key file's JSON: a {@code service_account} with a client e-mail and private key.
     *
     * @throws IllegalArgumentException saying what is missing, never echoing the key
     */
    public static void checkServiceAccount(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("service account file: not JSON");
        }
        if (n == null || !"service_account".equals(text(n, "type"))) {
            throw new IllegalArgumentException("service account file: expected \"type\": \"service_account\"");
        }
        // what Google's auth library needs to sign the token request (a key file from the console has all of them)
        for (String field : new String[] {"client_email", "client_id", "private_key", "private_key_id", "token_uri"}) {
            if (text(n, field) == null) {
                throw new IllegalArgumentException("service account file: missing " + field);
            }
        }
    }

    /** Reads a stored credential written by {@link #encode()}; never echoes it in an error. */
    public static VertexCredentials parse(String credential) {
        VertexCredentials known = PARSED.get(credential);
        if (known != null) {
            return known;
        }
        VertexCredentials read;
        try {
            JsonNode n = JSON.readTree(credential);
            String expires = text(n, "expires_at");
            read = new VertexCredentials(
                    requireText(n, "project"),
                    requireText(n, "region"),
                    requireText(n, "service_account"),
                    text(n, "access_token"),
                    expires == null ? null : Instant.parse(expires));
        } catch (IOException | DateTimeException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("vertex credential is not readable"
                    + (e instanceof IllegalArgumentException ? ": " + e.getMessage() : ""));
        }
        if (PARSED.size() >= MAX_PARSED) {
            PARSED.clear();
        }
        PARSED.put(credential, read);
        return read;
    }

    /** The stored form: a small JSON object. */
    public String encode() {
        ObjectNode n = JSON.createObjectNode()
                .put("project", project)
                .put("region", region)
                .put("service_account", serviceAccount);
        put(n, "access_token", accessToken);
        put(n, "expires_at", expiresAt == null ? null : expiresAt.toString());
        return n.toString();
    }

    @Override
    public String toString() {
        return "VertexCredentials[project=" + project + ", region=" + region + ", serviceAccount=" + clientEmail()
                + ", accessToken=" + (accessToken == null ? "none" : "***") + ", expiresAt=" + expiresAt + "]";
    }
}
