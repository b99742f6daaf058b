package io.relaygate.codec.sse;

import static java.util.Objects.requireNonNull;

/**
 * One Server-Sent Event as the gateway writes it: an optional name ({@code ""} for none, the convention
 * {@link SseListener} uses for events read) and its data. {@link SseWriter} turns it into bytes.
 *
 * @param name the {@code event:} field, {@code ""} for a data-only event (Chat streams have no names)
 * @param data the {@code data:} field; a line break in it starts another {@code data:} line
 */
public record SseEvent(String name, String data) {

    public SseEvent {
        requireNonNull(name, "name");
        requireNonNull(data, "data");
        if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("name: " + name + " (expected: no line break)");
        }
    }

    /** A data-only event. */
    public static SseEvent data(String data) {
        return new SseEvent("", data);
    }
}
