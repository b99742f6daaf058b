package io.relaygate.codec.responses.inbound;

import static java.util.Objects.requireNonNull;

import io.relaygate.codec.json.StableIds;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Per-request memory of how the client's Responses tools were named upstream, so the answer can be mapped back: which
 * Anthropic tools stand for Responses {@code custom} (freeform) tools, the client's own name of each tool and the
 * namespace it was declared in.
 *
 * <p>Anthropic tool names must match {@code ^[a-zA-Z0-9_-]{1,128}$}. A client name that does not (a dot, a long MCP
 * name) is made to fit: other characters become {@code _}, names over 128 characters become a 119-character prefix,
 * {@code _} and 8 hex characters of their SHA-256. Tools of the same name in two namespaces stay apart: the second one
 * is sent as {@code <namespace>__<name>}. Not thread-safe: one instance per request, filled by
 * {@link ResponsesToAnthropicRequest} and read by the response side.
 */
public final class ResponsesTools {

    static final int MAX_NAME = 128;

    /** The namespace Responses puts tools in when none is named; calls to its tools are echoed without one. */
    static final String DEFAULT_NAMESPACE = "functions";

    private record Tool(String clientName, @Nullable String namespace, boolean custom) {}

    private final Map<String, Tool> byUpstream = new HashMap<>();
    private final Map<String, String> byClient = new HashMap<>();

    /**
     * Registers a client tool and returns the name to send upstream. Registering the same tool twice returns the same
     * name.
     *
     * @param namespace the {@code namespace} tool it was declared in, or null at top level
     * @param custom whether it is a freeform {@code custom} tool (its input travels as {@code {"input": "…"}})
     */
    public String register(String clientName, @Nullable String namespace, boolean custom) {
        requireNonNull(clientName, "clientName");
        String key = key(clientName, namespace);
        String existing = byClient.get(key);
        if (existing != null) {
            return existing;
        }
        String upstream = fit(clientName);
        if (byUpstream.containsKey(upstream) && namespace != null) {
            upstream = fit(namespace + "__" + clientName);
        }
        if (byUpstream.containsKey(upstream)) {
            upstream =
                    fit(upstream.substring(0, Math.min(upstream.length(), MAX_NAME - 9)) + "_" + StableIds.hash8(key));
        }
        byUpstream.put(upstream, new Tool(clientName, namespace, custom));
        byClient.put(key, upstream);
        return upstream;
    }

    /**
     * The upstream name of a tool the client names in its history or {@code tool_choice}; a tool never registered
     * (dropped from the tool list, say) gets its name made to fit, consistently.
     */
    public String upstreamName(String clientName, @Nullable String namespace) {
        String found = byClient.get(key(clientName, namespace));
        if (found == null && namespace != null) {
            found = byClient.get(key(clientName, null));
        }
        if (found == null) {
            found = byClient.get(key(clientName, DEFAULT_NAMESPACE));
        }
        return found != null ? found : fit(clientName);
    }

    /** Whether the upstream tool stands for a Responses {@code custom} tool. */
    public boolean isCustom(String upstreamName) {
        Tool t = byUpstream.get(upstreamName);
        return t != null && t.custom();
    }

    /** The client's name of an upstream tool; unknown names come back unchanged. */
    public String clientName(String upstreamName) {
        Tool t = byUpstream.get(upstreamName);
        return t != null ? t.clientName() : upstreamName;
    }

    /**
     * The namespace to echo on a call of this tool, or null: null for top-level tools and for the default
     * {@code functions} namespace (OpenAI's implicit one; Codex echoes its code-mode calls without a namespace).
     */
    public @Nullable String namespace(String upstreamName) {
        Tool t = byUpstream.get(upstreamName);
        if (t == null || t.namespace() == null || DEFAULT_NAMESPACE.equals(t.namespace())) {
            return null;
        }
        return t.namespace();
    }

    /** Whether any tool was registered. */
    public boolean isEmpty() {
        return byUpstream.isEmpty();
    }

    private static String key(String name, @Nullable String namespace) {
        return (namespace == null ? "" : namespace) + '\u0000' + name;
    }

    /** {@code name} made to match {@code ^[a-zA-Z0-9_-]{1,128}$}. */
    static String fit(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_NAME + 1));
        boolean changed = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            sb.append(ok ? c : '_');
            changed |= !ok;
        }
        if (sb.length() == 0) {
            return "tool_" + StableIds.hash8(name);
        }
        if (sb.length() > MAX_NAME) {
            return sb.substring(0, MAX_NAME - 9) + "_" + StableIds.hash8(name);
        }
        // A sanitized name could collide with a legitimate one; the hash keeps the mapping reversible.
        return changed ? fitWithHash(sb.toString(), name) : sb.toString();
    }

    private static String fitWithHash(String sanitized, String original) {
        String prefix = sanitized.substring(0, Math.min(sanitized.length(), MAX_NAME - 9));
        return prefix + "_" + StableIds.hash8(original);
    }
}
