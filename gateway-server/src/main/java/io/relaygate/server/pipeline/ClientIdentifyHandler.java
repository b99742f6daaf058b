package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.relaygate.codec.client.ClientIdentifier;
import io.relaygate.codec.client.ClientIdentity;
import io.relaygate.core.config.LoggingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IDENTIFY: tells Claude Code and Codex from other clients ({@link ClientIdentifier}: the user agent and the client's
 * own system prompt must agree) and passes the request on with the kind, version, session and evidence attached.
 * The access log carries the kind and version; the evidence is logged here at DEBUG (header names, client versions
 * and fixed phrases only, never a prompt or a secret), and the request's shape when {@code logging.shapes} covers its
 * key ({@link ShapeLog}). Stateless (its settings are immutable), so one instance serves every channel.
 */
@ChannelHandler.Sharable
public final class ClientIdentifyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ClientIdentifyHandler.class);

    private final ShapeLog shapes;

    public ClientIdentifyHandler(LoggingConfig logging) {
        this.shapes = new ShapeLog(logging);
    }

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
        proxy.info.client = client.kind();
        proxy.info.clientVersion = client.version();
        ProxyRequest identified = proxy.withClient(client);
        shapes.log(identified);
        ctx.fireChannelRead(identified);
    }
}
