package io.relaygate.core;

/** The three wire formats the gateway speaks, inbound and upstream. */
public enum WireFormat {
    /** Anthropic Messages ({@code /v1/messages}). */
    ANTHROPIC,
    /** OpenAI Chat Completions ({@code /v1/chat/completions}). */
    OPENAI_CHAT,
    /** OpenAI Responses ({@code /v1/responses}), what Codex CLI speaks. */
    OPENAI_RESPONSES
}
