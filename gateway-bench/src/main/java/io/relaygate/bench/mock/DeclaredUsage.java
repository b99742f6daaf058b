package io.relaygate.bench.mock;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token counts one exchange declared on the wire so far: the largest {@code input_tokens} / {@code prompt_tokens}
 * and {@code output_tokens} / {@code completion_tokens} in the usage objects it wrote. Usage in all three formats is
 * cumulative (a later {@code message_delta} or final chunk repeats and raises the counts), so the largest value is
 * what a reader that saw everything up to the cut would bill. The soak compares the gateway's recorded totals with the
 * sum of these over every exchange ({@link MockUpstream#declaredUsage()}).
 */
final class DeclaredUsage {

    // The quote before the name keeps cache_read_input_tokens and cache_creation_input_tokens out; the colon right
    // after it keeps input_tokens_details out.
    private static final Pattern INPUT = Pattern.compile("\"(?:input_tokens|prompt_tokens)\"\\s*:\\s*(\\d+)");
    private static final Pattern OUTPUT = Pattern.compile("\"(?:output_tokens|completion_tokens)\"\\s*:\\s*(\\d+)");

    /** No raise; shared (callers only read what {@link #declare} returns). */
    private static final long[] NONE = {0, 0};

    private long input;
    private long output;

    /**
     * Reads the usage in {@code text} (an SSE event or a JSON body); returns how much it raised this exchange's input
     * and output counts, {@code {0, 0}} when it holds no usage.
     */
    long[] declare(String text) {
        if (!text.contains("\"usage\"")) {
            return NONE;
        }
        long in = largest(INPUT, text);
        long out = largest(OUTPUT, text);
        long dIn = Math.max(0, in - input);
        long dOut = Math.max(0, out - output);
        input += dIn;
        output += dOut;
        return new long[] {dIn, dOut};
    }

    private static long largest(Pattern p, String text) {
        long max = 0;
        Matcher m = p.matcher(text);
        while (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
        }
        return max;
    }
}
