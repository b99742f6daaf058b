package io.relaygate.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.RecordingListener.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventParserFixtureTest {

    private static final int MAX_EVENT_BYTES = 1 << 20;

    @Test
    void everyFixtureParsesLikeAPlainLineSplitReading() {
        for (Path file : ClientFixtures.sseFiles()) {
            byte[] bytes = ClientFixtures.read(file);
            List<Event> events = parse(bytes);
            assertThat(events)
                    .as("%s read whole matches a naive reading of its LF-terminated lines", file.getFileName())
                    .isEqualTo(naive(new String(bytes, StandardCharsets.UTF_8)))
                    .isNotEmpty();
        }
    }

    @Test
    void eventNamesMatchWhatTheCaptureRecordedAsSent() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        int checked = 0;
        for (Path json : ClientFixtures.jsonFiles()) {
            JsonNode response = mapper.readTree(json.toFile()).path("response");
            if (!response.hasNonNull("sse_file")) {
                continue;
            }
            Path sse = ClientFixtures.dir().resolve(response.get("sse_file").asText());
            List<String> expected = new ArrayList<>();
            response.get("sse_event_names").forEach(n -> expected.add(n.asText()));
            List<String> names =
                    parse(ClientFixtures.read(sse)).stream().map(Event::name).toList();
            assertThat(names)
                    .as("event names of %s as recorded in %s", sse.getFileName(), json.getFileName())
                    .isEqualTo(expected);
            checked++;
        }
        assertThat(checked).as("captures that name their stream").isGreaterThan(10);
    }

    @Test
    void everyTwoChunkSplitOfEveryFixtureYieldsTheSameEvents() {
        for (Path file : ClientFixtures.sseFiles()) {
            byte[] bytes = ClientFixtures.read(file);
            List<Event> expected = parse(bytes);
            for (int cut = 0; cut <= bytes.length; cut++) {
                assertThat(parse(bytes, cut))
                        .as("%s split at byte %d", file.getFileName(), cut)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void feedingEveryFixtureOneByteAtATimeYieldsTheSameEvents() {
        for (Path file : ClientFixtures.sseFiles()) {
            byte[] bytes = ClientFixtures.read(file);
            int[] cuts = new int[bytes.length];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = i;
            }
            assertThat(parse(bytes, cuts))
                    .as("%s fed one byte at a time", file.getFileName())
                    .isEqualTo(parse(bytes));
        }
    }

    @Test
    void threeWaySplitsOfCrlfCopiesYieldTheSameEventsAsTheLfOriginal() {
        for (Path file : ClientFixtures.sseFiles()) {
            String text = new String(ClientFixtures.read(file), StandardCharsets.UTF_8);
            List<Event> expected = parse(text.getBytes(StandardCharsets.UTF_8));
            byte[] crlf = text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
            int stride = Math.max(1, crlf.length / 40);
            int splits = 0;
            for (int i = 1; i < crlf.length; i++) {
                if (crlf[i - 1] != '\r') {
                    continue;
                }
                // The first cut falls between CR and LF; the second sweeps the rest, including right after the LF.
                for (int j = i + 1; j <= crlf.length; j += (j == i + 1 ? 1 : stride)) {
                    assertThat(parse(crlf, i, j))
                            .as("%s as CRLF split at %d and %d", file.getFileName(), i, j)
                            .isEqualTo(expected);
                    splits++;
                }
            }
            assertThat(splits)
                    .as("%s has CRLF boundaries to split at", file.getFileName())
                    .isPositive();
        }
    }

    @Test
    void crOnlyLineEndsYieldTheSameEvents() {
        for (Path file : ClientFixtures.sseFiles()) {
            String text = new String(ClientFixtures.read(file), StandardCharsets.UTF_8);
            byte[] cr = text.replace('\n', '\r').getBytes(StandardCharsets.UTF_8);
            assertThat(parse(cr))
                    .as("%s with CR line ends", file.getFileName())
                    .isEqualTo(parse(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void directBuffersParseLikeHeapBuffers() {
        for (Path file : ClientFixtures.sseFiles()) {
            byte[] bytes = ClientFixtures.read(file);
            RecordingListener listener = new RecordingListener();
            SseEventParser parser = new SseEventParser(MAX_EVENT_BYTES, listener);
            ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
            try {
                direct.writeBytes(bytes);
                parser.feed(direct);
                parser.finish();
                assertThat(direct.readableBytes())
                        .as("feed leaves the readable bytes to the caller")
                        .isEqualTo(bytes.length);
            } finally {
                direct.release();
            }
            assertThat(listener.events)
                    .as("%s from a direct buffer", file.getFileName())
                    .isEqualTo(parse(bytes));
        }
    }

    /** Parses {@code bytes} fed in chunks cut at the given ascending offsets. */
    static List<Event> parse(byte[] bytes, int... cuts) {
        RecordingListener listener = new RecordingListener();
        SseEventParser parser = new SseEventParser(MAX_EVENT_BYTES, listener);
        ByteBuf whole = Unpooled.wrappedBuffer(bytes);
        try {
            int from = 0;
            for (int cut : cuts) {
                parser.feed(whole.slice(from, cut - from));
                from = cut;
            }
            parser.feed(whole.slice(from, bytes.length - from));
            parser.finish();
        } finally {
            whole.release();
        }
        return listener.events;
    }

    /** A deliberately simple reading for LF-only text: split lines, apply the field rules, dispatch on blank lines. */
    private static List<Event> naive(String text) {
        List<Event> events = new ArrayList<>();
        String name = "";
        StringBuilder data = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new Event(name, data.toString()));
                }
                name = "";
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                name = value;
            } else if (field.equals("data")) {
                data = data == null
                        ? new StringBuilder(value)
                        : data.append('\n').append(value);
            }
        }
        if (data != null) {
            events.add(new Event(name, data.toString()));
        }
        return events;
    }
}
