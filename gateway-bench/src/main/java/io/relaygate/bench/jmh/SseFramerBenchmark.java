package io.relaygate.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.SseEventParser;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link SseEventParser} over a real Claude Code stream stretched to {@value BenchFixtures#EVENTS} events, fed in
 * socket-read-sized pieces; the score is events/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SseFramerBenchmark {

    /** Bytes per feed: a typical read from the upstream socket. */
    @Param({"4096"})
    public int chunk;

    private ByteBuf[] pieces = new ByteBuf[0];

    @Setup
    public void setUp() {
        byte[] sse = BenchFixtures.sse(BenchFixtures.stretch(
                BenchFixtures.events(BenchFixtures.file(BenchFixtures.ANTHROPIC_STREAM)), "content_block_delta"));
        int n = (sse.length + chunk - 1) / chunk;
        pieces = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            int from = i * chunk;
            int len = Math.min(chunk, sse.length - from);
            pieces[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(len).writeBytes(sse, from, len));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BenchFixtures.EVENTS)
    public void frame(Blackhole bh) {
        SseEventParser parser =
                new SseEventParser(1 << 20, (name, data, offset, length) -> bh.consume(length + name.length()));
        for (ByteBuf p : pieces) {
            parser.feed(p);
        }
        parser.finish();
    }
}
