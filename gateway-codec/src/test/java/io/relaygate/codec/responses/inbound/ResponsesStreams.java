package io.relaygate.codec.responses.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.codec.sse.SseEventParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Test support: feeding Anthropic streams through the transcoder and reading the Responses events it wrote. */
final class ResponsesStreams {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Clock FIXED = Clock.fixed(Instant.ofEpochSecond(1_795_354_000L), ZoneOffset.UTC);

    /** One output event: its {@code event:} name and its data. */
    record Event(String name, JsonNode data) {
        String type() {
            return data.path("type").asText();
        }
    }

    private ResponsesStreams() {}

    /** Feeds {@code in} split into two chunks at {@code split}, then ends the stream as the relay does. */
    static void feed(byte[] in, int split, StreamTranscoder transcoder) {
        io.relaygate.codec.chat.Transcripts.feed(in, split, transcoder);
    }

    /** Feeds {@code in} without ending the stream, as when the upstream connection breaks. */
    static void feedUnfinished(byte[] in, StreamTranscoder transcoder) {
        SseEventParser parser = new SseEventParser(1 << 20, transcoder);
        ByteBuf b = Unpooled.wrappedBuffer(in);
        try {
            parser.feed(b);
        } finally {
            b.release();
        }
    }

    static String transcode(byte[] in, int split, ResponsesTools tools) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        feed(in, split, new AnthropicToResponsesStream("gpt-5.5", tools, out::writeBytes, FIXED));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The events of a Responses SSE text, read back with the module's own parser. */
    static List<Event> parse(String sse) {
        List<Event> events = new ArrayList<>();
        byte[] bytes = sse.getBytes(StandardCharsets.UTF_8);
        SseEventParser parser = new SseEventParser(1 << 22, (name, data, off, len) -> {
            try {
                events.add(new Event(name, JSON.readTree(data, off, len)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            parser.feed(buf);
            parser.finish();
        } finally {
            buf.release();
        }
        assertThat(sse).as("every event ends with a blank line").endsWith("\n\n");
        return events;
    }

    static List<Event> events(byte[] anthropicSse, ResponsesTools tools) {
        return parse(transcode(anthropicSse, anthropicSse.length, tools));
    }

    static byte[] fixture(String name) {
        Path dir = ClientFixtures.dir();
        Path p = dir.resolve(name);
        return ClientFixtures.read(p);
    }

    /** The request body of a captured Codex request. */
    static JsonNode codexBody(Path file) {
        try {
            return JSON.readTree(file.toFile()).path("request").path("body");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }
}
