package io.relaygate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The word deltas of the text scenario as ready-made SSE bytes, one copy for the whole mock. The k-th delta of a text
 * block made of {@link AnthropicScript#words} at block index 0 (1 after the thinking scenario's block) is the same
 * event in every answer, so a stream writes a read-only duplicate of it instead of encoding the event into a new
 * buffer each time: at the stream harness's 100,000 events/s (docs/benchmarks.md) that encoding and its pooled buffer
 * were a tenth of the mock's event loops. The bytes on the wire, and the usage the event declares (none), are those
 * of the event encoded each time.
 *
 * <p>Each event is built on first use, for the first {@value #MAX_WORDS} words of each index; the first one built is
 * kept (a lost race leaves garbage, no leak). Its buffer is direct (written without a copy by the native transport)
 * and unreleasable: a writer releases what it wrote, a duplicate, and the original lives as long as the JVM.
 */
final class SharedDeltas {

    /** Words per block index kept, beyond any stream of the harness (200 events). */
    static final int MAX_WORDS = 4096;
    /** Block indexes kept: the text block is block 0, or block 1 after a thinking block. */
    private static final int INDEXES = 2;

    private static final AtomicReferenceArray<AnthropicScript.Event> EVENTS =
            new AtomicReferenceArray<>(INDEXES * MAX_WORDS);

    private SharedDeltas() {}

    /**
     * The {@code k}-th word delta of the text block at {@code index} ({@code word} is {@code words(n).get(k)}), its
     * {@link AnthropicScript.Event#wire()} set; {@code null} outside what is kept.
     */
    static AnthropicScript.@Nullable Event word(int index, int k, String word) {
        if (index < 0 || index >= INDEXES || k < 0 || k >= MAX_WORDS) {
            return null;
        }
        int slot = index * MAX_WORDS + k;
        AnthropicScript.Event e = EVENTS.get(slot);
        if (e != null) {
            return e;
        }
        AnthropicScript.Event built = build(AnthropicScript.delta(index, "text", word));
        return EVENTS.compareAndSet(slot, null, built) ? built : EVENTS.get(slot);
    }

    private static AnthropicScript.Event build(String data) {
        AnthropicScript.Event plain = new AnthropicScript.Event("content_block_delta", data, true);
        byte[] sse = plain.sse().getBytes(StandardCharsets.UTF_8);
        // A JDK direct buffer (freed by the garbage collector if a race drops it), not Netty's cleaner-less one.
        ByteBuffer direct = ByteBuffer.allocateDirect(sse.length);
        direct.put(sse).flip();
        ByteBuf wire = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
        return new AnthropicScript.Event(plain.name(), plain.data(), true, wire);
    }
}
