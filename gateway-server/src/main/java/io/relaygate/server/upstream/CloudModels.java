package io.relaygate.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.codec.chat.ModelMapper;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The model ids of Claude on Bedrock ({@code anthropic.claude-sonnet-4-5-20250929-v1:0}, with an optional
 * cross-region inference profile prefix such as {@code us.}) and on Vertex AI ({@code claude-sonnet-4-5@20250929}),
 * from an account's own model map first and then the shipped defaults ({@code cloud-models.json}, data that folds into
 * the model catalogue), and back to the Anthropic name that prices the usage.
 */
final class CloudModels {

    private static final Pattern DATE = Pattern.compile("-\\d{8}$");
    private static final Pattern BEDROCK_ID =
            Pattern.compile("^(?:[a-z]{2,8}\\.)?anthropic\\.(claude-[a-z0-9.\\-]+?)(?:-v\\d+(?::\\d+)?)?$");
    private static final Map<String, String> BEDROCK = new HashMap<>();
    private static final Map<String, String> VERTEX = new HashMap<>();
    private static final Set<String> BETAS = new HashSet<>();

    static {
        try (InputStream in = CloudModels.class.getResourceAsStream("cloud-models.json")) {
            if (in == null) {
                throw new IllegalStateException("cloud-models.json is missing from the classpath");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            root.path("bedrock")
                    .fields()
                    .forEachRemaining(e -> BEDROCK.put(e.getKey(), e.getValue().asText()));
            root.path("vertex")
                    .fields()
                    .forEachRemaining(e -> VERTEX.put(e.getKey(), e.getValue().asText()));
            root.path("betas").forEach(b -> BETAS.add(b.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException("cloud-models.json is not readable", e);
        }
    }

    private CloudModels() {}

    /** The id {@code account} (bedrock or vertex) runs for the client's {@code model}. */
    static String upstreamId(Account account, String model) {
        String mapped = account.modelMap().isEmpty() ? model : new ModelMapper(account.modelMap()).upstreamModel(model);
        if (account.kind() == AccountKind.BEDROCK) {
            String id = mapped.contains("anthropic.") || mapped.startsWith("arn:") ? mapped : shipped(BEDROCK, mapped);
            BedrockCredentials c = BedrockCredentials.parse(requireCredential(account));
            String prefix = c.profilePrefix();
            return prefix != null && id.startsWith("anthropic.") ? prefix + "." + id : id;
        }
        return mapped.contains("@") ? mapped : shipped(VERTEX, mapped);
    }

    /** Whether the platforms accept {@code beta} (they refuse flags they do not know). */
    static boolean betaAccepted(String beta) {
        return BETAS.contains(beta);
    }

    /**
     * The Anthropic name of a Bedrock or Vertex id, for pricing: {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}
     * and {@code claude-sonnet-4-5@20250929} are both {@code claude-sonnet-4-5-20250929}; other names are unchanged.
     */
    static String anthropicName(String id) {
        var m = BEDROCK_ID.matcher(id);
        if (m.matches()) {
            return m.group(1);
        }
        int at = id.indexOf('@');
        return at > 0 ? id.substring(0, at) + "-" + id.substring(at + 1) : id;
    }

    private static String shipped(Map<String, String> table, String model) {
        String lower = model.toLowerCase(Locale.ROOT);
        String id = table.get(lower);
        if (id == null) {
            id = table.get(DATE.matcher(lower).replaceFirst(""));
        }
        if (id == null) {
            for (String tier : new String[] {"opus", "sonnet", "haiku"}) {
                if (lower.contains(tier)) {
                    return table.getOrDefault(tier, model);
                }
            }
        }
        return id == null ? model : id;
    }

    static String requireCredential(Account account) {
        String c = account.credential();
        if (c == null) {
            throw new IllegalArgumentException("account " + account.name() + " has no credentials");
        }
        return c;
    }
}
