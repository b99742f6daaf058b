package io.relaygate.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.skim.SkimmedRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link RequestSkimmer#skim} on a real Claude Code request ({@value BenchFixtures#CLAUDE_REQUEST}, ~49 KB: system
 * prompt, tool definitions, one user turn): what the gateway reads of every request before routing it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RequestSkimBenchmark {

    private ByteBuf body = Unpooled.EMPTY_BUFFER;

    @Setup
    public void setUp() {
        body = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(BenchFixtures.requestBody(BenchFixtures.CLAUDE_REQUEST)));
    }

    @Benchmark
    public SkimmedRequest skim() {
        return RequestSkimmer.skim(body);
    }
}
