package io.relaygate.codec.chat;

import io.relaygate.codec.json.StableIds;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI function names are limited to 64 characters of {@code [a-zA-Z0-9_-]}; Anthropic tool names (MCP tools, say)
 * can be longer. Long names are shortened reversibly: a 55-character prefix, {@code _}, and 8 hex characters of the
 * name's SHA-256, remembered per request so the response side restores the original.
 */
public final class ToolNames {

    static final int MAX = 64;

    private final Map<String, String> originals = new HashMap<>();

    /** The name to send upstream. */
    public String shorten(String name) {
        if (name.length() <= MAX) {
            return name;
        }
        String shortened = name.substring(0, MAX - 9) + "_" + StableIds.hash8(name);
        originals.put(shortened, name);
        return shortened;
    }

    /** The client's name for an upstream function name. */
    public String restore(String upstreamName) {
        return originals.getOrDefault(upstreamName, upstreamName);
    }
}
