package io.relaygate.server.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Puts a {@link HttpContentDecompressor} into an upstream connection's pipeline the first time an answer on it arrives
 * compressed (the gateway asks for identity, so that is rare), and stays out of the way otherwise: a decompressor in
 * every pipeline cost about a tenth of the throughput in the benchmark for nothing. Once added, the decompressor stays
 * for the connection's later answers.
 */
final class LazyDecompressor extends ChannelInboundHandlerAdapter {

    /** Name of the decompressor once added, right after this handler. */
    static final String DECOMPRESSOR = "upstreamDecompressor";

    private boolean added;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!added && msg instanceof HttpResponse && compressed((HttpResponse) msg)) {
            ctx.pipeline().addAfter(ctx.name(), DECOMPRESSOR, new HttpContentDecompressor(0));
            added = true;
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether {@code head} announces a content coding other than identity. */
    static boolean compressed(HttpResponse head) {
        String encoding = head.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        return encoding != null && !HttpHeaderValues.IDENTITY.contentEqualsIgnoreCase(encoding.trim());
    }
}
