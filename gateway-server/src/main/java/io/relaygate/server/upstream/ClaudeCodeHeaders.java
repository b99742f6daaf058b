package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client headers of Claude Code, for requests from other clients on a Claude subscription ({@code claude-oauth})
 * account: Anthropic serves subscription tokens to Claude Code, so such requests carry the Claude Code headers last
 * seen on that account (this instance's memory; real traffic, so they follow Claude Code's updates), or those of
 * Claude Code 2.1.330 as captured in testdata/clients when none was seen yet.
 */
final class ClaudeCodeHeaders {

    /** Claude Code's beta flag; subscription requests carry it next to the OAuth one. */
    static final String CLAUDE_CODE_BETA = "claude-code-20250219";

    /** The headers that make a request look like Claude Code's, with Claude Code 2.1.330's values. */
    static final List<Map.Entry<String, String>> DEFAULTS = List.of(
            Map.entry("user-agent", "claude-cli/2.1.330 (external, cli)"),
            Map.entry("x-app", "cli"),
            Map.entry("anthropic-dangerous-direct-browser-access", "true"),
            Map.entry("x-stainless-arch", "x64"),
            Map.entry("x-stainless-lang", "js"),
            Map.entry("x-stainless-os", "Linux"),
            Map.entry("x-stainless-package-version", "0.128.0"),
            Map.entry("x-stainless-retry-count", "0"),
            Map.entry("x-stainless-runtime", "node"),
            Map.entry("x-stainless-runtime-version", "v26.12.1"),
            Map.entry("x-stainless-timeout", "600"));

    private final Map<String, List<Map.Entry<String, String>>> lastSeen = new ConcurrentHashMap<>();

    /** Remembers the headers of a Claude Code request that {@code accountId} served. */
    void remember(String accountId, HttpHeaders clientHeaders) {
        List<Map.Entry<String, String>> seen = new ArrayList<>(DEFAULTS.size());
        for (Map.Entry<String, String> d : DEFAULTS) {
            String v = clientHeaders.get(d.getKey());
            seen.add(Map.entry(d.getKey(), v != null ? v : d.getValue()));
        }
        lastSeen.put(accountId, List.copyOf(seen));
    }

    /** Replaces the client's own identifying headers in {@code out} with Claude Code's for {@code accountId}. */
    void apply(String accountId, HttpHeaders out) {
        for (String name : new ArrayList<>(out.names())) {
            if (name.toLowerCase(Locale.ROOT).startsWith("x-stainless-")) {
                out.remove(name);
            }
        }
        for (Map.Entry<String, String> h : lastSeen.getOrDefault(accountId, DEFAULTS)) {
            out.set(h.getKey(), h.getValue());
        }
        String beta = out.get("anthropic-beta");
        if (beta == null || beta.isBlank()) {
            out.set("anthropic-beta", CLAUDE_CODE_BETA);
        } else if (!beta.contains(CLAUDE_CODE_BETA)) {
            out.set("anthropic-beta", CLAUDE_CODE_BETA + "," + beta);
        }
    }
}
