package io.relaygate.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * PROXY_PROTOCOL: on a connection from a trusted proxy with {@code server.proxyProtocol} on, reads a PROXY protocol
 * header (v1 text or v2 binary; Netty's {@link HAProxyMessageDecoder}) when the connection starts with one, and makes
 * its source address the connection's client ({@link ClientAddress}). A connection that starts with anything else is
 * plain HTTP: the handler steps aside and passes the bytes on untouched.
 *
 * <p>Per connection; removes itself once it has decided.
 */
public final class ProxyProtocolHandler extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        ProtocolDetectionResult<HAProxyProtocolVersion> detected = HAProxyMessageDecoder.detectProtocol(in);
        switch (detected.state()) {
            case NEEDS_MORE_DATA:
                return;
            case DETECTED:
                ctx.pipeline()
                        .addAfter(ctx.name(), PipelineNames.PROXY_PROTOCOL_HEADER, new HAProxyMessageDecoder())
                        .addAfter(
                                PipelineNames.PROXY_PROTOCOL_HEADER, PipelineNames.PROXY_PROTOCOL_SOURCE, new Source());
                ctx.pipeline().remove(this);
                return;
            default:
                // Not a PROXY header: plain HTTP from the proxy itself; the buffered bytes go on as they are.
                ctx.pipeline().remove(this);
        }
    }

    /** Takes the decoded header's source address, then leaves the pipeline. */
    private static final class Source extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage)) {
                ctx.fireChannelRead(msg);
                return;
            }
            HAProxyMessage header = (HAProxyMessage) msg;
            try {
                if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                    ctx.channel().attr(ClientAddress.CONNECTION).set(header.sourceAddress());
                }
            } finally {
                ReferenceCountUtil.release(header);
                ctx.pipeline().remove(this);
            }
        }
    }
}
