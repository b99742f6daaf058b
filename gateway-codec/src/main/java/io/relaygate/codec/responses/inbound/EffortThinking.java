package io.relaygate.codec.responses.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Anthropic thinking for a Responses {@code reasoning.effort}. Claude 4.6 and later take adaptive thinking with
 * {@code output_config.effort} (https://docs.claude.com/en/docs/build-with-claude/adaptive-thinking; Opus 4.7 rejects
 * budgets); earlier Claude 4 / 3.7 models take {@code {type: enabled, budget_tokens}}; older ones no thinking.
 * {@code none} and {@code minimal} mean no thinking; {@code xhigh} maps to high, as {@code max} is Opus-only.
 */
final class EffortThinking {

    static final int MIN_BUDGET_TOKENS = 1024;
    static final int LOW_BUDGET_TOKENS = 2048;
    static final int MEDIUM_BUDGET_TOKENS = 8192;
    static final int HIGH_BUDGET_TOKENS = 24_576;

    private final String effort;
    private final boolean adaptive;
    private final long budgetTokens;

    private EffortThinking(String effort, boolean adaptive, long budgetTokens) {
        this.effort = effort;
        this.adaptive = adaptive;
        this.budgetTokens = budgetTokens;
    }

    /** The thinking for {@code reasoningEffort} on {@code model}, or null for none. */
    static @Nullable EffortThinking of(String reasoningEffort, String model, long maxTokens) {
        String effort =
                switch (reasoningEffort) {
                    case "low" -> "low";
                    case "medium" -> "medium";
                    case "high", "xhigh" -> "high";
                    default -> null; // absent, none, minimal
                };
        if (effort == null) {
            return null;
        }
        int[] v = version(model);
        if (v == null || v[0] > 4 || (v[0] == 4 && v[1] >= 6)) {
            // Unknown names (mapped aliases) are taken to be current models.
            return new EffortThinking(effort, true, 0);
        }
        if (v[0] < 3 || (v[0] == 3 && v[1] < 7)) {
            return null;
        }
        long budget =
                switch (effort) {
                    case "low" -> LOW_BUDGET_TOKENS;
                    case "medium" -> MEDIUM_BUDGET_TOKENS;
                    default -> HIGH_BUDGET_TOKENS;
                };
        // budget_tokens must be at least 1024 and below max_tokens.
        budget = Math.min(budget, maxTokens - 1);
        return budget < MIN_BUDGET_TOKENS ? null : new EffortThinking(effort, false, budget);
    }

    void apply(ObjectNode request) {
        if (adaptive) {
            request.putObject("thinking").put("type", "adaptive");
            ResponsesToAnthropicRequest.outputConfig(request).put("effort", effort);
        } else {
            request.putObject("thinking").put("type", "enabled").put("budget_tokens", budgetTokens);
        }
    }

    /**
     * {major, minor} of a Claude model name — {@code claude-3-7-sonnet-20250219}, {@code claude-sonnet-4-20250514},
     * {@code claude-opus-4-1}, {@code claude-opus-5-5} — or null when it names none: the first one- or two-digit
     * number, and the one right after it as minor (a date is not a minor version).
     */
    static int @Nullable [] version(String model) {
        String[] parts = model.toLowerCase(Locale.ROOT).split("[-.@:_]");
        for (int i = 0; i < parts.length; i++) {
            if (isSmallNumber(parts[i])) {
                int major = Integer.parseInt(parts[i]);
                int minor = i + 1 < parts.length && isSmallNumber(parts[i + 1]) ? Integer.parseInt(parts[i + 1]) : 0;
                return new int[] {major, minor};
            }
        }
        return null;
    }

    private static boolean isSmallNumber(String s) {
        return !s.isEmpty() && s.length() <= 2 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
