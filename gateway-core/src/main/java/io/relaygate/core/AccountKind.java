package io.relaygate.core;

import java.util.Locale;

/** The kinds of upstream account, with the wire format each speaks and its name in config, CLI and store. */
public enum AccountKind {
    ANTHROPIC_API("anthropic-api", WireFormat.ANTHROPIC),
    CLAUDE_OAUTH("claude-oauth", WireFormat.ANTHROPIC),
    OPENAI_API("openai-api", WireFormat.OPENAI_RESPONSES),
    CODEX_OAUTH("codex-oauth", WireFormat.OPENAI_RESPONSES),
    AZURE_OPENAI("azure-openai", WireFormat.OPENAI_CHAT),
    OPENAI_COMPATIBLE("openai-compatible", WireFormat.OPENAI_CHAT),
    /** Claude on Amazon Bedrock: Anthropic Messages bodies, SigV4 or a Bedrock API key, event-stream answers. */
    BEDROCK("bedrock", WireFormat.ANTHROPIC),
    /** Claude on Google Vertex AI: Anthropic Messages bodies, a service account's access token, SSE answers. */
    VERTEX("vertex", WireFormat.ANTHROPIC);

    private final String wireName;
    private final WireFormat format;

    AccountKind(String wireName, WireFormat format) {
        this.wireName = wireName;
        this.format = format;
    }

    /** The name used in config files, the CLI and the store, e.g. {@code anthropic-api}. */
    public String wireName() {
        return wireName;
    }

    /** Whether this is a cloud platform's Claude (Bedrock, Vertex): model in the path, version in the body. */
    public boolean cloud() {
        return this == BEDROCK || this == VERTEX;
    }

    /** The native format of this kind of upstream. */
    public WireFormat format() {
        return format;
    }

    /**
     * Parses a kind from its wire name (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static AccountKind fromWireName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (AccountKind k : values()) {
            if (k.wireName.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("account kind: " + name + " (expected one of: " + names() + ")");
    }

    static String names() {
        StringBuilder sb = new StringBuilder();
        for (AccountKind k : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(k.wireName);
        }
        return sb.toString();
    }
}
