package io.relaygate.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.codec.sse.SseWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks' inputs: captured client traffic from {@code testdata/clients} (found by walking up from the
 * working directory and from the jar, or {@code -Drelaygate.fixtures=DIR}) and the Chat golden stream bundled in the
 * jar. Streams are stretched to a fixed event count by repeating their real content deltas between their real
 * opening and closing events, so one benchmark operation is a whole, well-formed long answer.
 */
final class BenchFixtures {

    /** Events per stretched stream; the benchmarks' {@code @OperationsPerInvocation}. */
    static final int EVENTS = 1000;

    static final String CLAUDE_REQUEST = "claude-code-2.1.330_print_stream_apikey.json";
    static final String ANTHROPIC_STREAM = "claude-code-2.1.330_text_stream.sse";
    static final String RESPONSES_STREAM = "codex-0.169.0_text_stream.sse";
    static final String CHAT_STREAM = "/jmh/chat-stream.sse";

    /** One parsed SSE event. */
    record Event(String name, byte[] data) {}

    private BenchFixtures() {}

    static Path dir() {
        String configured = System.getProperty("relaygate.fixtures");
        if (configured != null) {
            return Paths.get(configured);
        }
        Path relative = Paths.get("testdata", "clients");
        List<Path> starts = new ArrayList<>();
        starts.add(Paths.get("").toAbsolutePath());
        try {
            starts.add(Paths.get(BenchFixtures.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath());
        } catch (URISyntaxException | RuntimeException e) {
            // no code source: the working directory is the only start
        }
        for (Path start : starts) {
            for (Path d = start; d != null; d = d.getParent()) {
                if (Files.isDirectory(d.resolve(relative))) {
                    return d.resolve(relative);
                }
            }
        }
        throw new IllegalStateException(
                "client fixtures not found: no " + relative + " above " + starts + " (set -Drelaygate.fixtures=DIR)");
    }

    static byte[] file(String name) {
        try {
            return Files.readAllBytes(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = BenchFixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of a captured request, compact JSON as the client sent it. */
    static byte[] requestBody(String name) {
        try {
            ObjectMapper json = new ObjectMapper();
            JsonNode capture = json.readTree(file(name));
            return json.writeValueAsBytes(capture.path("request").path("body"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events of a whole stream. */
    static List<Event> events(byte[] sse) {
        List<Event> out = new ArrayList<>();
        SseEventParser parser = new SseEventParser(1 << 20, (name, data, offset, length) -> {
            byte[] copy = new byte[length];
            System.arraycopy(data, offset, copy, 0, length);
            out.add(new Event(name, copy));
        });
        parser.feed(Unpooled.wrappedBuffer(sse));
        parser.finish();
        return out;
    }

    /**
     * {@code stream} stretched to {@link #EVENTS} events: the events before its first content delta (one whose name
     * or data contains {@code marker}), then its content deltas repeated, then the events after its last one.
     */
    static List<Event> stretch(List<Event> stream, String marker) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < stream.size(); i++) {
            if (isDelta(stream.get(i), marker)) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            throw new IllegalStateException("no event with " + marker);
        }
        List<Event> deltas = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            if (isDelta(stream.get(i), marker)) {
                deltas.add(stream.get(i));
            }
        }
        List<Event> prefix = stream.subList(0, first);
        List<Event> suffix = stream.subList(last + 1, stream.size());
        int middle = EVENTS - prefix.size() - suffix.size();
        List<Event> out = new ArrayList<>(prefix);
        for (int i = 0; i < middle; i++) {
            out.add(deltas.get(i % deltas.size()));
        }
        out.addAll(suffix);
        return out;
    }

    private static boolean isDelta(Event e, String marker) {
        return e.name().contains(marker) || new String(e.data(), StandardCharsets.UTF_8).contains(marker);
    }

    /** The events as SSE text, as an upstream sends them ({@code event:} line only where there is a name). */
    static byte[] sse(List<Event> events) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            // "message" is the name SSE gives an event without one: written back as no event line.
            String name = e.name().equals("message") ? "" : e.name();
            sb.append(SseWriter.text(name, new String(e.data(), StandardCharsets.UTF_8)));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
