package io.relaygate.server.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.codec.sse.SseWriter;
import io.relaygate.core.WireFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a streaming response alive through proxies while the upstream is connected but silent (a model thinking
 * without streaming its thoughts): after {@code every} without a byte, an Anthropic client gets a {@code ping} event and
 * an OpenAI client an SSE comment. Neither carries content, so clients' own event-level watchdogs (Claude Code aborts a
 * stream with no message event for 5 minutes) still see the silence; the relay's upstream idle timeout ends a truly dead
 * stream with an error event. A keep-alive goes only between two events and only while the client drains.
 *
 * <p>One per relayed stream, confined to the client channel's event loop.
 */
final class KeepAlive {

    /** Timer jitter tolerated when deciding whether a whole period of silence has passed. */
    private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final ChannelHandlerContext client;
    private final WireFormat format;
    private final long everyNanos;
    private final LongSupplier lastUpstreamReadNanos;
    private final ScheduledFuture<?> timer;
    private long lastSentNanos;
    private boolean atEventBoundary = true;

    private KeepAlive(ChannelHandlerContext client, WireFormat format, long everyNanos, LongSupplier lastRead) {
        this.client = client;
        this.format = format;
        this.everyNanos = everyNanos;
        this.lastUpstreamReadNanos = lastRead;
        this.timer = client.executor().scheduleAtFixedRate(this::tick, everyNanos, everyNanos, TimeUnit.NANOSECONDS);
    }

    /** Starts keeping {@code client}'s stream (in {@code format}) alive; {@code lastRead} tells when bytes last came. */
    static KeepAlive start(ChannelHandlerContext client, WireFormat format, long everyNanos, LongSupplier lastRead) {
        return new KeepAlive(client, format, everyNanos, lastRead);
    }

    /** Notes the bytes just relayed: a keep-alive may follow only when they end an event. */
    void relayed(ByteBuf content) {
        if (content.isReadable()) {
            atEventBoundary = endsAnEvent(content);
        }
    }

    static void cancel(@Nullable KeepAlive k) {
        if (k != null) {
            k.timer.cancel(false);
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long quiet = now - Math.max(lastUpstreamReadNanos.getAsLong(), lastSentNanos);
        if (quiet < everyNanos - SLACK_NANOS
                || !atEventBoundary
                || !client.channel().isWritable()) {
            return;
        }
        lastSentNanos = now;
        client.writeAndFlush(new DefaultHttpContent(SseWriter.keepAliveBuffer(format)))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Whether {@code buf}'s readable bytes end with the blank line that closes an SSE event. */
    static boolean endsAnEvent(ByteBuf buf) {
        int end = buf.writerIndex();
        int n = buf.readableBytes();
        return n >= 2
                && buf.getByte(end - 1) == '\n'
                && (buf.getByte(end - 2) == '\n'
                        || (n >= 3 && buf.getByte(end - 2) == '\r' && buf.getByte(end - 3) == '\n'));
    }
}
