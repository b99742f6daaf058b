package io.relaygate.server.upstream;

import io.relaygate.codec.chat.ModelMapper;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.ModelEntry;

/**
 * The model ids of Claude on Bedrock ({@code anthropic.claude-sonnet-4-5-20250929-v1:0}, with an optional
 * cross-region inference profile prefix such as {@code us.}) and on Vertex AI ({@code claude-sonnet-4-5@20250929}):
 * an account's own model map first, then the model catalogue's {@code bedrock} and {@code vertex} ids (operator data,
 * updated with {@code relaygate catalogue update}), then the name as the client gave it.
 */
final class CloudModels {

    private CloudModels() {}

    /** The id {@code account} (bedrock or vertex) runs for the client's {@code model}. */
    static String upstreamId(Account account, String model, Catalogue catalogue) {
        String mapped = account.modelMap().isEmpty() ? model : new ModelMapper(account.modelMap()).upstreamModel(model);
        if (account.kind() == AccountKind.BEDROCK) {
            String id = mapped.contains("anthropic.") || mapped.startsWith("arn:")
                    ? mapped
                    : catalogue.platformId(ModelEntry.BEDROCK, mapped).orElse(mapped);
            BedrockCredentials c = BedrockCredentials.parse(requireCredential(account));
            String prefix = c.profilePrefix();
            return prefix != null && id.startsWith("anthropic.") ? prefix + "." + id : id;
        }
        return mapped.contains("@")
                ? mapped
                : catalogue.platformId(ModelEntry.VERTEX, mapped).orElse(mapped);
    }

    static String requireCredential(Account account) {
        String c = account.credential();
        if (c == null) {
            throw new IllegalArgumentException("account " + account.name() + " has no credentials");
        }
        return c;
    }
}
