package io.relaygate.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * A slow client: reads at most {@code bytesPerSec} on average. Sits next to the head of a connection with auto-read
 * off and small reads; it alone asks the socket for data, and drops the read requests of the handlers above it (the
 * HTTP decoder asks for more whenever a read gave no whole message), so the server sees a reader of that speed.
 */
final class ThrottledReadHandler extends ChannelDuplexHandler {

    private final long bytesPerSec;
    private long start;
    private long bytes;
    private boolean scheduled;

    ThrottledReadHandler(long bytesPerSec) {
        this.bytesPerSec = bytesPerSec;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start = System.nanoTime();
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            bytes += ((ByteBuf) msg).readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        if (scheduled) {
            return;
        }
        long dueAt = start + bytes * 1_000_000_000L / bytesPerSec;
        long wait = dueAt - System.nanoTime();
        scheduled = true;
        ctx.executor()
                .schedule(
                        () -> {
                            scheduled = false;
                            ctx.read();
                        },
                        Math.max(0, wait),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // Reads are paced by channelReadComplete alone.
    }
}
