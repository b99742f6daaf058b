package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.relaygate.codec.client.ClientIdentifier;
import io.relaygate.codec.client.ClientIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IDENTIFY: tells Claude Code and Codex from other clients ({@link ClientIdentifier}: the user agent and the client's
 * own system prompt must agree) and passes the request on with the kind, version, session and evidence attached.
 * The access log carries the kind and version; the evidence is logged here at DEBUG (header names, client versions
 * and fixed phrases only, never a prompt or a secret). Stateless, so one instance serves every channel.
 */
@ChannelHandler.Sharable
public final class ClientIdentifyHandler extends ChannelInboundHandlerAdapter {

    public static final ClientIdentifyHandler INSTANCE = new ClientIdentifyHandler();

    private static final Logger logger = LoggerFactory.getLogger(ClientIdentifyHandler.class);

    private ClientIdentifyHandler() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ProxyRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ProxyRequest proxy = (ProxyRequest) msg;
        ClientIdentity client =
                ClientIdentifier.identify(proxy.request.headers()::get, proxy.skim, proxy.info.route.hasBody());
        if (logger.isDebugEnabled()) {
            logger.debug(
                    "{} client={} evidence=\"{}\"", proxy.info.id, client.kind().wireName(), client.evidence());
        }
        ProxyRequest identified = proxy.withClient(client);
        ShapeLog.FROM_ENV.log(identified);
        ctx.fireChannelRead(identified);
    }
}
