package io.relaygate.codec.bedrock;

import static java.util.Objects.requireNonNull;

/**
 * Bedrock ended a stream with an exception frame ({@code :message-type: exception}, e.g. {@code throttlingException},
 * {@code modelStreamErrorException}, {@code serviceUnavailableException}) or an error frame, or sent a frame that is
 * not a valid event-stream message. Stackless and immutable: an expected failure on the hot path.
 */
public final class BedrockStreamException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The exception type Bedrock named, or {@link #MALFORMED} for a frame we could not read. */
    private final String type;

    /** The type of a frame that is not a valid event-stream message (bad CRC, oversized, unreadable payload). */
    public static final String MALFORMED = "malformedFrame";

    public BedrockStreamException(String type, String message) {
        super(message, null, false, false);
        this.type = requireNonNull(type, "type");
    }

    /** Bedrock's exception type, e.g. {@code throttlingException}; {@link #MALFORMED} for an unreadable frame. */
    public String type() {
        return type;
    }
}
