package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a {@code bedrock} account signs its requests with, kept as the account's credential (a small JSON object,
 * encrypted at rest with it): the region, and either an IAM access key (with an optional session token) for SigV4 or a
 * Bedrock API key sent as a bearer. {@link #toString()} never shows a secret.
 *
 * @param region the AWS region whose Bedrock runtime serves the account, e.g. {@code us-east-1}
 * @param accessKeyId IAM access key id; null with an API key
 * @param secretAccessKey IAM secret access key; null with an API key
 * @param sessionToken STS session token of temporary credentials; null for long-term keys
 * @param apiKey a Bedrock API key (bearer); null with IAM keys
 * @param profilePrefix cross-region inference profile prefix put before the shipped model ids ({@code us}, {@code eu},
 *     {@code apac}, {@code global}); null for in-region model ids
 */
public record BedrockCredentials(
        String region,
        @Nullable String accessKeyId,
        @Nullable String secretAccessKey,
        @Nullable String sessionToken,
        @Nullable String apiKey,
        @Nullable String profilePrefix) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
    private static final Pattern PREFIX = Pattern.compile("[a-z]{2,8}");
    private static final ConcurrentHashMap<String, BedrockCredentials> PARSED = new ConcurrentHashMap<>();
    private static final int MAX_PARSED = 1024;

    public BedrockCredentials {
        requireNonNull(region, "region");
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region: " + region + " (expected: an AWS region such as us-east-1)");
        }
        if (apiKey == null && (accessKeyId == null || secretAccessKey == null)) {
            throw new IllegalArgumentException(
                    "bedrock credentials: expected an access key id and secret access key, or a Bedrock API key");
        }
        if (apiKey != null && accessKeyId != null) {
            throw new IllegalArgumentException(
                    "bedrock credentials: an access key and a Bedrock API key are exclusive (expected: one of them)");
        }
        if (profilePrefix != null) {
            profilePrefix = profilePrefix.endsWith(".")
                    ? profilePrefix.substring(0, profilePrefix.length() - 1)
                    : profilePrefix;
            if (!PREFIX.matcher(profilePrefix).matches()) {
                throw new IllegalArgumentException("inference-profile: " + profilePrefix
                        + " (expected: us, eu, apac, global or another region group)");
            }
        }
    }

    /** Whether requests are signed with SigV4 (else they carry the API key as a bearer). */
    public boolean sigV4() {
        return apiKey == null;
    }

    /** The Bedrock runtime endpoint of {@link #region()}. */
    public String defaultBaseUrl() {
        return "https://bedrock-runtime." + region + ".amazonaws.com";
    }

    /** Reads a stored credential written by {@link #encode()}; never echoes it in an error. */
    public static BedrockCredentials parse(String credential) {
        BedrockCredentials known = PARSED.get(credential);
        if (known != null) {
            return known;
        }
        BedrockCredentials read;
        try {
            JsonNode n = JSON.readTree(credential);
            read = new BedrockCredentials(
                    requireText(n, "region"),
                    text(n, "access_key_id"),
                    text(n, "secret_access_key"),
                    text(n, "session_token"),
                    text(n, "api_key"),
                    text(n, "inference_profile"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("bedrock credential is not readable"
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
        ObjectNode n = JSON.createObjectNode().put("region", region);
        put(n, "access_key_id", accessKeyId);
        put(n, "secret_access_key", secretAccessKey);
        put(n, "session_token", sessionToken);
        put(n, "api_key", apiKey);
        put(n, "inference_profile", profilePrefix);
        return n.toString();
    }

    static void put(ObjectNode n, String field, @Nullable String value) {
        if (value != null) {
            n.put(field, value);
        }
    }

    static @Nullable String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    static String requireText(JsonNode n, String field) {
        String v = text(n, field);
        if (v == null) {
            throw new IllegalArgumentException("missing " + field);
        }
        return v;
    }

    @Override
    public String toString() {
        return "BedrockCredentials[region=" + region + ", auth=" + (sigV4() ? "sigv4" : "api-key") + ", accessKeyId="
                + (accessKeyId == null ? "none" : Secrets.mask(accessKeyId)) + ", sessionToken="
                + (sessionToken == null ? "none" : "***") + ", inferenceProfile=" + profilePrefix + "]";
    }
}
