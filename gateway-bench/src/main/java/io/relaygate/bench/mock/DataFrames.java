package io.relaygate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * An event's DATA frame written as one buffer (the 9-byte frame header and the payload) straight to the connection,
 * when the frame codec's flow controller would send it at once anyway: the stream is open for sending, nothing of it
 * waits in the flow controller, both its window and the connection's cover the payload, and the connection is
 * writable. The windows are taken down by the payload as the controller does when it writes a frame. Otherwise the
 * caller hands the payload to the codec's encoder, which queues it behind what waits. The bytes on the wire are the encoder's (no padding, no flags);
 * what this saves is the encoder's objects per frame (a promise, a queue entry, a promise aggregator, a separate
 * header buffer), the most of the mock's allocation at the stream harness's rate (docs/benchmarks.md).
 *
 * <p>Runs on the connection's event loop.
 */
final class DataFrames {

    /** Payloads up to the smallest maximum frame size a peer may set go as one frame. */
    private static final int MAX_PAYLOAD = Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE;

    private DataFrames() {}

    /**
     * Writes {@code payload} (released here when written) as one DATA frame of stream {@code id} to {@code connection},
     * the frame codec's context, if the flow controller lets it go now; returns false, {@code payload} untouched,
     * when the caller must hand it to the codec's encoder.
     */
    static boolean write(ChannelHandlerContext connection, Http2FrameCodec codec, int id, ByteBuf payload) {
        int n = payload.readableBytes();
        if (n == 0 || n > MAX_PAYLOAD || !connection.channel().isWritable()) {
            // The flow controller holds frames back while the socket's buffer is full too.
            return false;
        }
        Http2Connection h2 = codec.connection();
        Http2Stream stream = h2.stream(id);
        if (stream == null) {
            return false;
        }
        Http2Stream.State state = stream.state();
        if (state != Http2Stream.State.OPEN && state != Http2Stream.State.HALF_CLOSED_REMOTE) {
            return false;
        }
        Http2RemoteFlowController flow = h2.remote().flowController();
        Http2Stream whole = h2.connectionStream();
        if (flow.hasFlowControlled(stream) || flow.windowSize(stream) < n || flow.windowSize(whole) < n) {
            return false;
        }
        try {
            flow.incrementWindowSize(stream, -n);
            flow.incrementWindowSize(whole, -n);
        } catch (Http2Exception impossible) {
            // A negative increment never overflows a window.
            throw new IllegalStateException(impossible);
        }
        ByteBuf frame = connection.alloc().directBuffer(Http2CodecUtil.FRAME_HEADER_LENGTH + n);
        frame.writeMedium(n);
        frame.writeByte(Http2FrameTypes.DATA);
        frame.writeByte(0);
        frame.writeInt(id);
        frame.writeBytes(payload, payload.readerIndex(), n);
        payload.release();
        connection.write(frame, connection.voidPromise());
        return true;
    }
}
