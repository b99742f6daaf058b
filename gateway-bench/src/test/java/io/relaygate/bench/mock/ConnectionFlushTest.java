package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionFlushTest {

    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    @Test
    void streamsAskingInOnePassGetOneFlushAfterThePass() {
        FlushCounter counter = new FlushCounter();
        EmbeddedChannel connection = new EmbeddedChannel(counter);
        ConnectionFlush.install(connection, (n, bytes, raise) -> {});
        ConnectionFlush flush = ConnectionFlush.on(connection);

        flush.request();
        flush.request();
        flush.request();

        assertThat(counter.flushes).as("nothing flushed while the pass runs").isZero();
        connection.runPendingTasks();
        assertThat(counter.flushes).as("three streams' events, one flush").isEqualTo(1);

        flush.request();
        connection.runPendingTasks();
        assertThat(counter.flushes).as("the next pass gets its own flush").isEqualTo(2);
        assertThat(connection.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionWithoutOneIsAnError() {
        EmbeddedChannel connection = new EmbeddedChannel();

        assertThatThrownBy(() -> ConnectionFlush.on(connection))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no ConnectionFlush installed");
        assertThat(connection.finishAndReleaseAll()).isFalse();
    }
}
