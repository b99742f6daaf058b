package io.relaygate.bench.jmh;

import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.AnthropicToChatStream;
import io.relaygate.codec.chat.ChatToAnthropicStream;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.responses.AnthropicToResponsesStream;
import io.relaygate.codec.responses.ResponsesToAnthropicStream;
import io.relaygate.codec.responses.ResponsesTools;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each stream transcoder on a real upstream stream of its input format, stretched to {@value BenchFixtures#EVENTS}
 * events (already framed: the framer has its own benchmark); one operation is one event in, the score events/s on
 * one core. Inputs: Claude Code's text stream (Anthropic), Codex's text stream (Responses), the Chat golden stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TranscoderBenchmark {

    @Param({"ChatToAnthropic", "AnthropicToChat", "AnthropicToResponses", "ResponsesToAnthropic"})
    public String direction;

    private List<BenchFixtures.Event> events = List.of();

    @Setup
    public void setUp() {
        switch (direction) {
            case "ChatToAnthropic" ->
                events = BenchFixtures.stretch(
                        BenchFixtures.events(BenchFixtures.resource(BenchFixtures.CHAT_STREAM)),
                        "\"delta\":{\"content\"");
            case "ResponsesToAnthropic" ->
                events = BenchFixtures.stretch(
                        BenchFixtures.events(BenchFixtures.file(BenchFixtures.RESPONSES_STREAM)),
                        "response.output_text.delta");
            default ->
                events = BenchFixtures.stretch(
                        BenchFixtures.events(BenchFixtures.file(BenchFixtures.ANTHROPIC_STREAM)),
                        "content_block_delta");
        }
    }

    private StreamTranscoder transcoder(Consumer<byte[]> sink) {
        return switch (direction) {
            case "ChatToAnthropic" ->
                new ChatToAnthropicStream("claude-sonnet-4-5", new ToolNames(), new AnthropicEventWriter(sink));
            case "AnthropicToChat" -> new AnthropicToChatStream("gpt-4o", true, sink);
            case "AnthropicToResponses" -> new AnthropicToResponsesStream("gpt-5.5", new ResponsesTools(), sink);
            case "ResponsesToAnthropic" ->
                new ResponsesToAnthropicStream("claude-sonnet-4-5", new ToolNames(), new AnthropicEventWriter(sink));
            default -> throw new IllegalStateException("direction: " + direction);
        };
    }

    @Benchmark
    @OperationsPerInvocation(BenchFixtures.EVENTS)
    public void transcode(Blackhole bh) {
        StreamTranscoder t = transcoder(bytes -> bh.consume(bytes.length));
        for (BenchFixtures.Event e : events) {
            t.onEvent(e.name(), e.data(), 0, e.data().length);
        }
        t.finish();
        bh.consume(t.usage());
    }
}
