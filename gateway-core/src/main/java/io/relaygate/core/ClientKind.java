package io.relaygate.core;

import java.util.Locale;

/** Which client sent a request, as identified from its headers and body. */
public enum ClientKind {
    CLAUDE_CODE("claude-code"),
    CODEX("codex"),
    OTHER("other");

    private final String wireName;

    ClientKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses {@code claude-code}, {@code codex} or {@code other} (case-insensitive). */
    public static ClientKind fromWireName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ClientKind k : values()) {
            if (k.wireName.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("client kind: " + name + " (expected: claude-code, codex or other)");
    }
}
