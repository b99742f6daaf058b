package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.GatewayException;

/**
 * SKIM: reads the fields the gateway needs (model, stream, metadata) from the aggregated body with a streaming JSON
 * parser and passes a {@link ProxyRequest} on. The body is never re-serialized. Bad JSON and a body without the shape
 * its route requires (messages an array of objects, model a non-empty string, max_tokens a positive integer, stream a
 * boolean: {@link RequestSkimmer#skim(io.netty.buffer.ByteBuf, io.relaygate.core.Route)}) are answered here with a 400
 * in the client's format, before an account is chosen; the connection stays open because the whole body was read.
 */
public final class RequestSkimHandler extends ChannelInboundHandlerAdapter {

    private static final SkimmedRequest NO_BODY =
            new SkimmedRequest(null, false, null, null, null, null, false, null, null);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        RequestInfo info = ctx.channel().attr(RequestInfo.KEY).get();
        if (info == null) {
            request.release();
            throw new IllegalStateException("request reached SKIM without ROUTE");
        }
        SkimmedRequest skim;
        try {
            skim = info.route.hasBody() ? RequestSkimmer.skim(request.content(), info.route) : NO_BODY;
        } catch (GatewayException e) {
            request.release();
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(info.route.format(), e.kind(), e.getMessage())
                            .requestId(info.id));
            return;
        }
        info.model = skim.model();
        ctx.fireChannelRead(new ProxyRequest(info, request, skim, ProxyRequest.UNIDENTIFIED));
    }
}
