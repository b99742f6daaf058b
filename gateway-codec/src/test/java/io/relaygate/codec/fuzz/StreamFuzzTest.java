package io.relaygate.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.AnthropicToChatStream;
import io.relaygate.codec.chat.ChatToAnthropicStream;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.responses.inbound.AnthropicToResponsesStream;
import io.relaygate.codec.responses.inbound.ResponsesTools;
import io.relaygate.codec.responses.upstream.ResponsesToAnthropicStream;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.codec.sse.SseFrameTooLongException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Fuzzes the SSE parser and every stream transcoder with upstream bytes: no exception escapes (but the parser's named
 * bound), the output is well-formed in the client's grammar, and feeding the same bytes split at any point gives the
 * same output. Seeds run with the unit tests; {@code JAZZER_FUZZ=1} fuzzes one method for {@link #FUZZ_DURATION}
 * ({@code .ci/run} does each in turn).
 */
class StreamFuzzTest {

    static final String FUZZ_DURATION = "15s";

    /** Bound of one event: small, so the fuzzer reaches it. */
    private static final int MAX_EVENT_BYTES = 4096;

    @FuzzTest(maxDuration = FUZZ_DURATION)
    void sseParserFramesTheSameEventsWhereverTheInputIsSplit(FuzzedDataProvider data) {
        int split = data.consumeInt();
        byte[] in = data.consumeRemainingAsBytes();
        List<String> whole = parse(in, in.length);
        assertThat(parse(in, Math.floorMod(split, in.length + 1))).isEqualTo(whole);
    }

    @FuzzTest(maxDuration = FUZZ_DURATION)
    void chatToAnthropic(FuzzedDataProvider data) {
        check(
                data,
                sink -> new ChatToAnthropicStream("claude-x", new ToolNames(), new AnthropicEventWriter(sink)),
                SseShape::anthropic);
    }

    @FuzzTest(maxDuration = FUZZ_DURATION)
    void responsesToAnthropic(FuzzedDataProvider data) {
        check(
                data,
                sink -> new ResponsesToAnthropicStream("claude-x", new ToolNames(), new AnthropicEventWriter(sink)),
                SseShape::anthropic);
    }

    @FuzzTest(maxDuration = FUZZ_DURATION)
    void anthropicToChat(FuzzedDataProvider data) {
        check(data, sink -> new AnthropicToChatStream("gpt-x", true, sink), SseShape::chat);
    }

    @FuzzTest(maxDuration = FUZZ_DURATION)
    void anthropicToResponses(FuzzedDataProvider data) {
        check(data, sink -> new AnthropicToResponsesStream("gpt-x", new ResponsesTools(), sink), SseShape::responses);
    }

    private static void check(
            FuzzedDataProvider data, Function<Consumer<byte[]>, StreamTranscoder> transcoder, Consumer<String> shape) {
        int split = data.consumeInt();
        byte[] in = data.consumeRemainingAsBytes();
        String whole = transcode(in, in.length, transcoder);
        shape.accept(whole);
        assertThat(normalised(transcode(in, Math.floorMod(split, in.length + 1), transcoder)))
                .as("the same output wherever the input is split")
                .isEqualTo(normalised(whole));
    }

    /** Feeds {@code in} in two pieces; an event over the bound fails the stream as the relay does. */
    static String transcode(byte[] in, int split, Function<Consumer<byte[]>, StreamTranscoder> make) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamTranscoder t = make.apply(out::writeBytes);
        feed(in, split, new SseEventParser(MAX_EVENT_BYTES, t), () -> {
            t.fail("upstream event too long");
            return null;
        });
        t.finish();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> parse(byte[] in, int split) {
        List<String> events = new ArrayList<>();
        SseEventParser parser = new SseEventParser(
                MAX_EVENT_BYTES,
                (name, d, off, len) -> events.add(name + "|" + new String(d, off, len, StandardCharsets.UTF_8)));
        feed(in, split, parser, () -> {
            events.add("too long");
            return null;
        });
        return events;
    }

    private static void feed(byte[] in, int split, SseEventParser parser, Supplier<Void> tooLong) {
        ByteBuf a = Unpooled.wrappedBuffer(in, 0, split);
        ByteBuf b = Unpooled.wrappedBuffer(in, split, in.length - split);
        try {
            parser.feed(a);
            parser.feed(b);
            parser.finish();
        } catch (SseFrameTooLongException e) {
            tooLong.get();
        } finally {
            a.release();
            b.release();
        }
    }

    /** Timestamps are the clock's and ids made up when the upstream sent none are random: not the input's. */
    static String normalised(String sse) {
        return sse.replaceAll("\"created(_at)?\":\\d+", "\"created$1\":0")
                .replaceAll("\"(\\w*id)\":\"[^\"]*\"", "\"$1\":\"*\"");
    }
}
