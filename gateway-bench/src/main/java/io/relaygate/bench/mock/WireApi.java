package io.relaygate.bench.mock;

/** The API a request speaks, from its path; answers and error bodies follow it. */
enum WireApi {
    /** Anthropic Messages: {@code POST …/v1/messages}. */
    ANTHROPIC,
    /** OpenAI Chat Completions: {@code POST …/chat/completions}. */
    CHAT,
    /** OpenAI Responses: {@code POST …/responses}, also the ChatGPT Codex backend's {@code …/codex/responses}. */
    RESPONSES;

    boolean openAi() {
        return this != ANTHROPIC;
    }
}
