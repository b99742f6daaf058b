package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Documents;
import io.relaygate.accounts.Store;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.core.signatures.Signature;
import io.relaygate.core.signatures.SignaturesReader;
import java.util.concurrent.CompletionStage;

/**
 * The operator's side of the client signatures, shared by the CLI ({@code relaygate signatures}) and the admin API
 * ({@code GET/PUT /admin/signatures}): what the store holds (else the shipped ones), and storing new ones, which every
 * running gateway uses for the next request it identifies.
 */
public final class SignaturesAdmin {

    private static final OperatorDocument<ClientSignatures> DOCUMENT = new OperatorDocument<>(
            Documents.SIGNATURES,
            SignaturesReader::parse,
            SignaturesReader::canonical,
            ClientSignatures::shipped,
            (after, s) -> after.put("as_of", s.asOf()));

    private SignaturesAdmin() {}

    /** The signatures the store holds, else the shipped ones. */
    public static CompletionStage<ClientSignatures> current(Store store) {
        return DOCUMENT.current(store);
    }

    /**
     * Validates {@code text} (JSON or YAML) and stores it for every instance on {@code store}.
     *
     * @throws IllegalArgumentException naming the source and the bad key when it is not valid
     */
    public static CompletionStage<ClientSignatures> update(Store store, String where, String text, String actor) {
        return DOCUMENT.update(store, where, text, actor);
    }

    /** {@code {"as_of", "origin", "claude_code": {...}, "codex": {...}}}, the shape the update reads. */
    public static ObjectNode json(ClientSignatures s) {
        ObjectNode n = Views.JSON.createObjectNode();
        n.put("as_of", s.asOf());
        n.put("origin", s.origin());
        signature(n.putObject("claude_code"), s.claudeCode());
        signature(n.putObject("codex"), s.codex());
        return n;
    }

    private static void signature(ObjectNode n, Signature s) {
        s.userAgentPrefixes().forEach(n.putArray("user_agent_prefixes")::add);
        s.originatorPrefixes().forEach(n.putArray("originator_prefixes")::add);
        ObjectNode prompts = n.putObject("prompts");
        s.prompts().forEach(prompts::put);
        ObjectNode headers = n.putObject("subscription_headers");
        s.subscriptionHeaders().forEach(headers::put);
        n.put("subscription_beta", s.subscriptionBeta());
    }
}
