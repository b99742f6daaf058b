package io.relaygate.codec.responses.inbound;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.SseWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes OpenAI Responses streaming events as SSE: {@code event: <type>\ndata: <json>\n\n}, the JSON starting with
 * {@code type} and {@code sequence_number} (0, 1, 2, … per stream, as OpenAI numbers them and Codex expects) followed
 * by the given fields. Each event is serialized by a Jackson generator into one reused buffer and handed to the sink
 * as a new array, which the sink owns. Not thread-safe: one writer per stream.
 */
public final class ResponsesEvents {

    private static final int INITIAL_BUFFER_BYTES = 1024;

    private final Consumer<byte[]> sink;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(INITIAL_BUFFER_BYTES);
    private int sequenceNumber;

    /** @param sink receives each event as complete SSE bytes */
    public ResponsesEvents(Consumer<byte[]> sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    /**
     * Writes one event of {@code type}; {@code fields} are copied after {@code type} and {@code sequence_number} (a
     * {@code type} or {@code sequence_number} among them is ignored).
     */
    public void emit(String type, ObjectNode fields) {
        requireNonNull(type, "type");
        requireNonNull(fields, "fields");
        buffer.reset();
        SseWriter.begin(buffer, type);
        try (JsonGenerator g = OutputItems.JSON.getFactory().createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeNumberField("sequence_number", sequenceNumber);
            Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("type") || f.getKey().equals("sequence_number")) {
                    continue;
                }
                g.writeFieldName(f.getKey());
                g.writeTree(f.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail; Jackson only declares it.
            throw new UncheckedIOException(e);
        }
        SseWriter.end(buffer);
        sequenceNumber++;
        sink.accept(buffer.toByteArray());
    }

    /** The sequence number the next event gets (the number of events written so far). */
    public int nextSequenceNumber() {
        return sequenceNumber;
    }
}
