package io.relaygate.core.signatures;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The marks of one client.
 *
 * @param userAgentPrefixes lower-case prefixes of its {@code User-Agent} ({@code claude-cli/})
 * @param originatorPrefixes lower-case prefixes its {@code originator} header must have when it sends one (Codex), or
 *     empty when it sends none
 * @param prompts its own system prompts, by a name for the evidence line, in order: Claude Code's are found anywhere
 *     in its first system text, Codex's must start it
 * @param subscriptionHeaders the headers a request from another client carries on this client's subscription
 *     accounts, with the values of the client version they were captured from (live traffic replaces them per account)
 * @param subscriptionBeta a flag added to {@code anthropic-beta} on those requests, or empty
 */
public record Signature(
        List<String> userAgentPrefixes,
        List<String> originatorPrefixes,
        Map<String, String> prompts,
        Map<String, String> subscriptionHeaders,
        String subscriptionBeta) {

    public Signature {
        userAgentPrefixes = List.copyOf(userAgentPrefixes);
        originatorPrefixes = List.copyOf(originatorPrefixes);
        prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
        subscriptionHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(subscriptionHeaders));
        requireNonNull(subscriptionBeta, "subscriptionBeta");
        if (userAgentPrefixes.isEmpty()) {
            throw new IllegalArgumentException("userAgentPrefixes: empty (expected: at least one prefix)");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts: empty (expected: at least one prompt)");
        }
        for (Map.Entry<String, String> p : prompts.entrySet()) {
            if (p.getValue().isBlank()) {
                throw new IllegalArgumentException("prompts." + p.getKey() + ": blank (expected: a prompt's text)");
            }
        }
    }
}
