package io.relaygate.bench.soak;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Which request the {@code n}-th of a soak is: the three inbound formats (Anthropic Messages, OpenAI Chat, OpenAI
 * Responses) in turn, each as a stream and as JSON, and every {@code 100 / faultPercent}-th request a fault the mock
 * plays (a {@code mock:<scenario>} directive in the prompt): a 500 before the first byte, the upstream connection reset
 * mid-stream, the upstream's own error event, or a close-delimited stream cut before its final event. Deterministic,
 * so two runs send the same sequence.
 *
 * <p>Sessions: the gateway keeps a session on its account by a hash of the first system and user texts
 * ({@code SessionHash}), for {@code scheduling.stickyTtl}. With {@code sessions > 0} every request is a turn of one of
 * that many conversations (the first user text names the session, the last one the request), as from a team's
 * clients; with 0 every request starts a conversation of its own, the worst case for the sticky-session table.
 */
final class SoakMix {

    /** Faults in turn; the mid-stream ones only make sense on streams, so a fault request is always a stream. */
    static final List<String> FAULTS = List.of("error-500", "reset-mid-stream", "stream-error", "truncate-close");

    enum Format {
        MESSAGES("/v1/messages", "message_stop"),
        CHAT("/openai/v1/chat/completions", "[DONE]"),
        RESPONSES("/openai/v1/responses", "response.completed");

        final String path;
        /** What a stream that ended well has in its last event. */
        final String terminal;

        Format(String path, String terminal) {
            this.path = path;
            this.terminal = terminal;
        }
    }

    /**
     * One request of the mix.
     *
     * @param fault the mock scenario, or empty for a normal request
     */
    record Request(Format format, boolean stream, String fault, byte[] body) {}

    private final String model;
    private final long faultEvery;
    private final int sessions;

    /** {@code faultPercent} 0 sends no faults; {@code sessions} 0: each request a session of its own. */
    SoakMix(String model, double faultPercent, int sessions) {
        if (sessions < 0) {
            throw new IllegalArgumentException("sessions: " + sessions + " (expected: >= 0)");
        }
        this.sessions = sessions;
        if (faultPercent < 0 || faultPercent > 50 || Double.isNaN(faultPercent)) {
            throw new IllegalArgumentException("faultPercent: " + faultPercent + " (expected: 0..50)");
        }
        this.model = model;
        this.faultEvery = faultPercent == 0 ? 0 : Math.max(2, Math.round(100 / faultPercent));
    }

    Request request(long n) {
        Format format = Format.values()[(int) (n % 3)];
        boolean fault = faultEvery > 0 && n % faultEvery == faultEvery - 1;
        String scenario = fault ? FAULTS.get((int) ((n / faultEvery) % FAULTS.size())) : "";
        boolean stream = fault || (n / 3) % 2 == 0;
        String text = (fault ? "mock:" + scenario + " " : "") + "soak request " + n;
        // earlier turns of the request's session: the first user text is what the session hash reads
        String turns = sessions == 0
                ? ""
                : "{\"role\":\"user\",\"content\":\"soak session " + (n % sessions)
                        + "\"},{\"role\":\"assistant\",\"content\":\"ok\"},";
        String last = turns + "{\"role\":\"user\",\"content\":\"" + text + "\"}";
        String body;
        switch (format) {
            case CHAT:
                body = "{\"model\":\"" + model + "\",\"stream\":" + stream
                        + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                        + ",\"messages\":[" + last + "]}";
                break;
            case RESPONSES:
                body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"input\":[" + last + "]}";
                break;
            default:
                body = "{\"model\":\"" + model + "\",\"max_tokens\":256,\"stream\":" + stream + ",\"messages\":[" + last
                        + "]}";
        }
        return new Request(format, stream, scenario, body.getBytes(StandardCharsets.UTF_8));
    }
}
