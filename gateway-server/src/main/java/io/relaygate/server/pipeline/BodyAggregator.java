package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.WireFormat;

/**
 * AGGREGATOR: Netty's aggregator, bounded by {@code server.maxRequestBodyBytes}, answering an oversized chunked body
 * with a 413 in the client's format (a declared Content-Length over the limit is refused earlier, by ROUTE).
 */
public final class BodyAggregator extends HttpObjectAggregator {

    private final long maxBodyBytes;

    public BodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes, true);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        RequestInfo info = ctx.channel().attr(RequestInfo.KEY).get();
        WireFormat format = info == null ? WireFormat.ANTHROPIC : info.route.format();
        ErrorResponder.send(
                ctx,
                ErrorAnswer.of(
                                format,
                                ErrorKind.REQUEST_TOO_LARGE,
                                "request body is over the limit of " + maxBodyBytes + " bytes")
                        .requestId(info == null ? null : info.id)
                        .closing(true));
    }
}
