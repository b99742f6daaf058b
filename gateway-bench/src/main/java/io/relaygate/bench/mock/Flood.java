package io.relaygate.bench.mock;

import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * The {@code flood} scenario's stream, produced a piece at a time so the handler writes only while the channel is
 * writable: fixed SSE text, runs of filler characters inside one event (formats that repeat the whole text in their
 * closing events), and delta events carrying one chunk of filler each.
 */
final class Flood {

    static final int CHUNK_CHARS = 16 * 1024;
    private static final String FILLER = "x".repeat(CHUNK_CHARS);

    /** Renders the SSE event of delta number {@code index} (from 0) carrying {@code text}. */
    interface DeltaEvent {
        String render(long index, String text);
    }

    private interface Piece {}

    private record Text(String sse) implements Piece {}

    private record Filler(long chars) implements Piece {}

    private record Deltas(long chars, DeltaEvent event) implements Piece {}

    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private long written;
    private long deltaIndex;

    /** Delta events needed for {@code chars} filler characters. */
    static long deltaCount(long chars) {
        return (chars + CHUNK_CHARS - 1) / CHUNK_CHARS;
    }

    Flood text(String sse) {
        pieces.add(new Text(sse));
        return this;
    }

    Flood filler(long chars) {
        pieces.add(new Filler(chars));
        return this;
    }

    Flood deltas(long chars, DeltaEvent event) {
        pieces.add(new Deltas(chars, event));
        return this;
    }

    /** The next piece of the stream, or null after the last. */
    @Nullable
    String next() {
        while (true) {
            Piece p = pieces.peekFirst();
            if (p == null) {
                return null;
            }
            if (p instanceof Text t) {
                pieces.removeFirst();
                return t.sse();
            }
            long total = p instanceof Filler f ? f.chars() : ((Deltas) p).chars();
            if (written >= total) {
                pieces.removeFirst();
                written = 0;
                deltaIndex = 0;
                continue;
            }
            int n = (int) Math.min(CHUNK_CHARS, total - written);
            written += n;
            String chunk = n == CHUNK_CHARS ? FILLER : FILLER.substring(0, n);
            return p instanceof Deltas d ? d.event().render(deltaIndex++, chunk) : chunk;
        }
    }
}
