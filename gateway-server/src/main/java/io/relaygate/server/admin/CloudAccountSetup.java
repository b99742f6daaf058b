package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.VertexCredentials;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The stored credential of a new {@code bedrock} or {@code vertex} account, from what the operator gave: the one path
 * of {@code relaygate accounts add} ({@code CloudAccountOptions}) and {@code POST /admin/accounts}
 * ({@link AdminAccounts}), so both validate alike and store the same {@link BedrockCredentials} or
 * {@link VertexCredentials}. Only the names of the fields in messages differ: {@link Given#names} turns a field's
 * name here (e.g. {@code awsAccessKeyId}) into the caller's ({@code --aws-access-key-id-env}).
 */
public final class CloudAccountSetup {

    private CloudAccountSetup() {}

    /**
     * What the operator gave for a cloud account; null where nothing was given. The secrets are never part of an
     * error message.
     *
     * @param names a field's name here to the caller's, for messages
     */
    public record Given(
            @Nullable String region,
            @Nullable String profilePrefix,
            @Nullable String awsAccessKeyId,
            @Nullable String awsSecretAccessKey,
            @Nullable String awsSessionToken,
            @Nullable String bedrockApiKey,
            @Nullable String project,
            @Nullable String serviceAccountJson,
            UnaryOperator<String> names) {

        @Override
        public String toString() {
            return "Given[region=" + region + ", project=" + project + "]";
        }
    }

    /**
     * The encoded credential of a {@code kind} account ({@code bedrock} or {@code vertex}).
     *
     * @throws IllegalArgumentException naming the missing or invalid field (in the caller's names), never a secret
     */
    public static String credential(AccountKind kind, Given g) {
        String region = required(g, g.region(), "region");
        if (kind == AccountKind.BEDROCK) {
            if (g.project() != null || g.serviceAccountJson() != null) {
                throw new IllegalArgumentException(g.names().apply("project") + ", "
                        + g.names().apply("serviceAccountJson") + ": vertex only (expected: not with bedrock)");
            }
            if (g.bedrockApiKey() == null && (g.awsAccessKeyId() == null || g.awsSecretAccessKey() == null)) {
                throw new IllegalArgumentException(
                        "bedrock: expected " + g.names().apply("awsAccessKeyId") + " and "
                                + g.names().apply("awsSecretAccessKey") + ", or "
                                + g.names().apply("bedrockApiKey"));
            }
            return new BedrockCredentials(
                            region,
                            g.awsAccessKeyId(),
                            g.awsSecretAccessKey(),
                            g.awsSessionToken(),
                            g.bedrockApiKey(),
                            g.profilePrefix())
                    .encode();
        }
        if (kind != AccountKind.VERTEX) {
            throw new IllegalArgumentException("kind: " + kind.wireName() + " (expected: bedrock or vertex)");
        }
        if (g.awsAccessKeyId() != null || g.awsSecretAccessKey() != null || g.bedrockApiKey() != null) {
            throw new IllegalArgumentException(g.names().apply("awsAccessKeyId") + ", "
                    + g.names().apply("bedrockApiKey") + ": bedrock only (expected: a service account for vertex)");
        }
        String project = required(g, g.project(), "project");
        String json = required(g, g.serviceAccountJson(), "serviceAccountJson");
        try {
            VertexCredentials.checkServiceAccount(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(g.names().apply("serviceAccountJson") + ": " + e.getMessage());
        }
        return new VertexCredentials(project, region, json, null, null).encode();
    }

    /** The platform's endpoint for the region of a credential made by {@link #credential}. */
    public static String defaultBaseUrl(AccountKind kind, String credential) {
        return kind == AccountKind.BEDROCK
                ? BedrockCredentials.parse(credential).defaultBaseUrl()
                : VertexCredentials.parse(credential).defaultBaseUrl();
    }

    /**
     * Adds a cloud account's {@code cloud} view to {@code view}: its region, profile or project and service account
     * e-mail, and each secret it holds as {@code "set"}, never its value; nothing for other kinds.
     */
    static void describe(ObjectNode view, Account a) {
        String credential = a.credential();
        if (!a.kind().cloud() || credential == null) {
            return;
        }
        ObjectNode c = view.putObject("cloud");
        try {
            if (a.kind() == AccountKind.BEDROCK) {
                BedrockCredentials b = BedrockCredentials.parse(credential);
                c.put("region", b.region());
                if (b.profilePrefix() != null) {
                    c.put("profilePrefix", b.profilePrefix() + ".");
                }
                set(c, "awsAccessKeyId", b.accessKeyId());
                set(c, "awsSecretAccessKey", b.secretAccessKey());
                set(c, "awsSessionToken", b.sessionToken());
                set(c, "bedrockApiKey", b.apiKey());
            } else {
                VertexCredentials v = VertexCredentials.parse(credential);
                c.put("project", v.project()).put("region", v.region()).put("serviceAccount", v.clientEmail());
                set(c, "serviceAccountJson", v.serviceAccount());
            }
        } catch (IllegalArgumentException e) {
            c.put("error", "credential not readable");
        }
    }

    private static void set(ObjectNode n, String field, @Nullable String secret) {
        if (secret != null) {
            n.put(field, "set");
        }
    }

    private static String required(Given g, @Nullable String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(g.names().apply(field) + ": required");
        }
        return value.trim();
    }
}
