package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The limits and restrictions attached to a gateway API key. Every field is optional: {@code null} (or an empty
 * collection) means "no such rule". Enforcement lives in gateway-accounts; this is the value.
 *
 * @param maxConcurrency concurrent requests in flight
 * @param maxRequests requests per {@code requestWindow}
 * @param requestWindow window of {@code maxRequests}
 * @param maxTokens tokens (input + output) per {@code tokenWindow}
 * @param tokenWindow window of {@code maxTokens}
 * @param dailyCostUsd cost limit per UTC day
 * @param weeklyCostUsd cost limit per ISO week
 * @param totalCostUsd lifetime cost limit
 * @param allowedModels models this key may ask for (empty: any)
 * @param deniedModels models this key may not ask for
 * @param allowedClients clients this key may be used from (empty: any)
 * @param expiresAt after this instant the key is refused
 * @param boundAccount name of the only account this key may use
 * @param boundGroup name of the only account group this key may use
 */
public record KeyRules(
        @Nullable Integer maxConcurrency,
        @Nullable Long maxRequests,
        @Nullable Duration requestWindow,
        @Nullable Long maxTokens,
        @Nullable Duration tokenWindow,
        @Nullable Double dailyCostUsd,
        @Nullable Double weeklyCostUsd,
        @Nullable Double totalCostUsd,
        List<String> allowedModels,
        List<String> deniedModels,
        Set<ClientKind> allowedClients,
        @Nullable Instant expiresAt,
        @Nullable String boundAccount,
        @Nullable String boundGroup) {

    /** No rules at all. */
    public static final KeyRules NONE = new KeyRules(
            null, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, null);

    /** These rules with the model list {@code allowed} (empty: every model) less {@code denied}. */
    public KeyRules withModels(List<String> allowed, List<String> denied) {
        return new KeyRules(
                maxConcurrency,
                maxRequests,
                requestWindow,
                maxTokens,
                tokenWindow,
                dailyCostUsd,
                weeklyCostUsd,
                totalCostUsd,
                allowed,
                denied,
                allowedClients,
                expiresAt,
                boundAccount,
                boundGroup);
    }

    /** Whether a limit needs state shared between requests: concurrency, requests, tokens or cost. */
    public boolean hasSharedLimits() {
        return maxConcurrency != null || maxRequests != null || limitsUsage();
    }

    /** Whether a limit reads the key's recorded usage (tokens or cost), so usage must be written before the next request. */
    public boolean limitsUsage() {
        return maxTokens != null || dailyCostUsd != null || weeklyCostUsd != null || totalCostUsd != null;
    }

    public KeyRules {
        allowedModels = List.copyOf(requireNonNull(allowedModels, "allowedModels"));
        deniedModels = List.copyOf(requireNonNull(deniedModels, "deniedModels"));
        allowedClients = Set.copyOf(requireNonNull(allowedClients, "allowedClients"));
        if (maxConcurrency != null && maxConcurrency <= 0) {
            throw new IllegalArgumentException("concurrency: " + maxConcurrency + " (expected: > 0)");
        }
        if (maxRequests != null && maxRequests <= 0) {
            throw new IllegalArgumentException("requests: " + maxRequests + " (expected: > 0)");
        }
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("tokens: " + maxTokens + " (expected: > 0)");
        }
        if (maxRequests != null && requestWindow == null) {
            throw new IllegalArgumentException("requests: " + maxRequests + " given without a window");
        }
        if (maxTokens != null && tokenWindow == null) {
            throw new IllegalArgumentException("tokens: " + maxTokens + " given without a window");
        }
        if (boundAccount != null && boundGroup != null) {
            throw new IllegalArgumentException(
                    "account: " + boundAccount + " and group: " + boundGroup + " (expected: at most one)");
        }
    }
}
