package io.relaygate.core;

/**
 * Token counts of one request (or a sum of them). Anthropic's naming: {@code inputTokens} excludes cache reads and
 * cache writes, which are counted separately.
 */
public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || cacheCreationInputTokens < 0 || cacheReadInputTokens < 0) {
            throw new IllegalArgumentException("usage: negative token count in " + inputTokens + "/" + outputTokens
                    + "/" + cacheCreationInputTokens + "/" + cacheReadInputTokens + " (expected: >= 0)");
        }
    }

    public Usage plus(Usage other) {
        return new Usage(
                inputTokens + other.inputTokens,
                outputTokens + other.outputTokens,
                cacheCreationInputTokens + other.cacheCreationInputTokens,
                cacheReadInputTokens + other.cacheReadInputTokens);
    }

    /** All tokens, input of every kind plus output. */
    public long totalTokens() {
        return inputTokens + outputTokens + cacheCreationInputTokens + cacheReadInputTokens;
    }
}
