package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.core.signatures.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client headers of Claude Code, for requests from other clients on a Claude subscription ({@code claude-oauth})
 * account: Anthropic serves subscription tokens to Claude Code, so such requests carry the Claude Code headers last
 * seen on that account (this instance's memory; real traffic, so they follow Claude Code's updates), or, when none was
 * seen yet, the defaults of the client signatures in use ({@code claude_code.subscription_headers}: Claude Code
 * 2.1.330's as shipped, an operator's after {@code relaygate signatures update}).
 */
final class ClaudeCodeHeaders {

    private final Map<String, List<Map.Entry<String, String>>> lastSeen = new ConcurrentHashMap<>();

    /** Remembers the headers (those {@code signature} names) of a Claude Code request that {@code accountId} served. */
    void remember(String accountId, HttpHeaders clientHeaders, Signature signature) {
        Map<String, String> defaults = signature.subscriptionHeaders();
        List<Map.Entry<String, String>> seen = new ArrayList<>(defaults.size());
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            String v = clientHeaders.get(d.getKey());
            seen.add(Map.entry(d.getKey(), v != null ? v : d.getValue()));
        }
        lastSeen.put(accountId, List.copyOf(seen));
    }

    /** Replaces the client's own identifying headers in {@code out} with Claude Code's for {@code accountId}. */
    void apply(String accountId, HttpHeaders out, Signature signature) {
        for (String name : new ArrayList<>(out.names())) {
            if (name.toLowerCase(Locale.ROOT).startsWith("x-stainless-")) {
                out.remove(name);
            }
        }
        List<Map.Entry<String, String>> seen = lastSeen.get(accountId);
        if (seen == null) {
            seen = List.copyOf(signature.subscriptionHeaders().entrySet());
        }
        for (Map.Entry<String, String> h : seen) {
            out.set(h.getKey(), h.getValue());
        }
        String flag = signature.subscriptionBeta();
        if (flag.isEmpty()) {
            return;
        }
        String beta = out.get("anthropic-beta");
        if (beta == null || beta.isBlank()) {
            out.set("anthropic-beta", flag);
        } else if (!beta.contains(flag)) {
            out.set("anthropic-beta", flag + "," + beta);
        }
    }
}
