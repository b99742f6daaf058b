package io.relaygate.bench.jmh;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.AnthropicToChatStream;
import io.relaygate.codec.chat.ChatToAnthropicStream;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.codec.responses.inbound.AnthropicToResponsesStream;
import io.relaygate.codec.responses.inbound.ResponsesTools;
import io.relaygate.codec.responses.upstream.ResponsesToAnthropicStream;
import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Route;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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
 * {@code ChatToResponses} and {@code ResponsesToChat} are the chained paths through Anthropic, built by
 * {@link Conversion} as the gateway builds them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TranscoderBenchmark {

    @Param({
        "ChatToAnthropic",
        "AnthropicToChat",
        "AnthropicToResponses",
        "ResponsesToAnthropic",
        "ChatToResponses",
        "ResponsesToChat"
    })
    public String direction;

    private List<BenchFixtures.Event> events = List.of();
    private @Nullable Conversion chained;

    @Setup
    public void setUp() {
        switch (direction) {
            case "ChatToAnthropic", "ChatToResponses" ->
                events = BenchFixtures.stretch(
                        BenchFixtures.events(BenchFixtures.resource(BenchFixtures.CHAT_STREAM)),
                        "\"delta\":{\"content\"");
            case "ResponsesToAnthropic", "ResponsesToChat" ->
                events = BenchFixtures.stretch(
                        BenchFixtures.events(BenchFixtures.file(BenchFixtures.RESPONSES_STREAM)),
                        "response.output_text.delta");
            default ->
                events = BenchFixtures.stretch(
                        BenchFixtures.events(BenchFixtures.file(BenchFixtures.ANTHROPIC_STREAM)),
                        "content_block_delta");
        }
        switch (direction) {
            case "ChatToResponses" ->
                chained = conversion(
                        Route.RESPONSES,
                        "{\"model\":\"gpt-5.5\",\"stream\":true,\"input\":\"hi\"}",
                        AccountKind.OPENAI_COMPATIBLE);
            case "ResponsesToChat" ->
                chained = conversion(
                        Route.CHAT_COMPLETIONS,
                        "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        AccountKind.OPENAI_API);
            default -> chained = null;
        }
    }

    private static Conversion conversion(Route route, String body, AccountKind kind) {
        Account account = new Account(
                "bench",
                "bench",
                kind,
                "http://127.0.0.1:1",
                null,
                null,
                50,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.EPOCH,
                null,
                Map.of());
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return Conversion.prepare(route, false, RequestSkimmer.skim(buf), ClientKind.OTHER, buf, account);
        } finally {
            buf.release();
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
            case "ChatToResponses", "ResponsesToChat" ->
                requireNonNull(chained, "chained").streamTranscoder(sink);
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
