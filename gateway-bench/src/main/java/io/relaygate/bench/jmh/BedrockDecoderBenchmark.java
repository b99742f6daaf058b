package io.relaygate.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.bedrock.BedrockEventStreamDecoder;
import io.relaygate.codec.bedrock.BedrockEventStreamEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link BedrockEventStreamDecoder}: the real Claude Code stream of the other benchmarks, stretched to
 * {@value BenchFixtures#EVENTS} events and framed as Bedrock sends it (event-stream {@code chunk} frames, base64
 * payloads), fed in socket-read-sized pieces and decoded into Anthropic SSE; the score is events/s. Its cost is what a
 * Bedrock account adds per streamed event on top of the passthrough (or a transcoder) that follows it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BedrockDecoderBenchmark {

    /** Bytes per feed: a typical read from the upstream socket. */
    @Param({"4096"})
    public int chunk;

    private ByteBuf[] pieces = new ByteBuf[0];
    private ByteBuf out = Unpooled.EMPTY_BUFFER;

    @Setup
    public void setUp() {
        List<BenchFixtures.Event> events = BenchFixtures.stretch(
                BenchFixtures.events(BenchFixtures.file(BenchFixtures.ANTHROPIC_STREAM)), "content_block_delta");
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (BenchFixtures.Event e : events) {
            frames.writeBytes(BedrockEventStreamEncoder.chunk(new String(e.data(), StandardCharsets.UTF_8)));
        }
        byte[] bytes = frames.toByteArray();
        int n = (bytes.length + chunk - 1) / chunk;
        pieces = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            int from = i * chunk;
            int len = Math.min(chunk, bytes.length - from);
            pieces[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(len).writeBytes(bytes, from, len));
        }
        out = Unpooled.directBuffer(64 * 1024);
    }

    @TearDown
    public void tearDown() {
        out.release();
    }

    @Benchmark
    @OperationsPerInvocation(BenchFixtures.EVENTS)
    public void decode(Blackhole bh) {
        BedrockEventStreamDecoder decoder = new BedrockEventStreamDecoder();
        for (ByteBuf p : pieces) {
            out.clear();
            decoder.decode(p, out);
            bh.consume(out.readableBytes());
        }
        bh.consume(decoder.events());
    }
}
