package io.relaygate.codec.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;

/**
 * What a Claude subscription ({@code claude-oauth}) account needs from requests that do not come from Claude Code:
 * Anthropic serves subscription tokens for Claude Code, whose requests start their system prompt with Claude Code's
 * own identity block. Requests from other clients get that block put first; their own system prompt follows
 * unchanged.
 */
public final class ClaudeCodeAdaptation {

    /** The block Claude Code's interactive mode sends first after its billing header. */
    public static final String SYSTEM_PROMPT = "You are Claude Code, Anthropic's official CLI for Claude.";

    private ClaudeCodeAdaptation() {}

    /**
     * The rule, in one place: a Messages request to a Claude subscription account from any client but Claude Code gets
     * Claude Code's identity block (passthrough and converted requests alike).
     */
    public static boolean needed(AccountKind account, ClientKind client) {
        return account == AccountKind.CLAUDE_OAUTH && client != ClientKind.CLAUDE_CODE;
    }

    /** Puts Claude Code's identity block first in {@code request}'s system prompt (string or blocks), once. */
    public static void prependSystemPrompt(ObjectNode request) {
        JsonNode system = request.get("system");
        ArrayNode blocks = request.arrayNode();
        ObjectNode identity = blocks.addObject();
        identity.put("type", "text");
        identity.put("text", SYSTEM_PROMPT);
        if (system != null && system.isTextual()) {
            if (system.asText().startsWith(SYSTEM_PROMPT)) {
                return;
            }
            if (!system.asText().isEmpty()) {
                blocks.addObject().put("type", "text").put("text", system.asText());
            }
        } else if (system != null && system.isArray()) {
            for (JsonNode block : system) {
                if (SYSTEM_PROMPT.equals(block.path("text").asText())) {
                    return;
                }
            }
            blocks.addAll((ArrayNode) system);
        }
        request.set("system", blocks);
    }
}
