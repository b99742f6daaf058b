package io.relaygate.codec.chat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.SseEventParser;

/** Feeds a transcript to a stream transcoder in two chunks split at {@code split}, then ends the stream. */
public final class Transcripts {

    private Transcripts() {}

    public static void feed(byte[] in, int split, StreamTranscoder transcoder) {
        SseEventParser parser = new SseEventParser(1 << 20, transcoder);
        ByteBuf a = Unpooled.wrappedBuffer(in, 0, split);
        ByteBuf b = Unpooled.wrappedBuffer(in, split, in.length - split);
        try {
            parser.feed(a);
            parser.feed(b);
            parser.finish();
        } finally {
            a.release();
            b.release();
        }
        transcoder.finish();
    }
}
