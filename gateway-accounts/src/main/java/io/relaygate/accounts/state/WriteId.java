package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

/**
 * Makes a usage write idempotent: a write the store has applied once is skipped when it comes again (a retry after a
 * timeout that reached the store after all, or a journal replayed after a crash). The store keeps, per writer and
 * counter family, the sequence numbers it applied from {@code low} on; everything below {@code low} the writer has
 * seen acknowledged, so the store forgets it and the set stays as small as the writes in flight.
 *
 * @param writer a stable id of the writing journal (it survives restarts: replayed writes keep their writer)
 * @param seq this write's number, unique per writer, never reused
 * @param low every write of this writer numbered below it has been acknowledged (at most {@code seq})
 */
public record WriteId(String writer, long seq, long low) {

    /** Sequence numbers stay exact in Lua's doubles (Redis scripts) below this. */
    public static final long MAX_SEQ = 1L << 52;

    public WriteId {
        requireNonNull(writer, "writer");
        if (writer.isEmpty() || writer.indexOf('}') >= 0 || writer.indexOf('{') >= 0) {
            throw new IllegalArgumentException("writer: " + writer + " (expected: non-empty, no braces)");
        }
        if (seq < 0 || seq >= MAX_SEQ || low < 0 || low > seq) {
            throw new IllegalArgumentException(
                    "seq: " + seq + ", low: " + low + " (expected: 0 <= low <= seq < " + MAX_SEQ + ")");
        }
    }
}
