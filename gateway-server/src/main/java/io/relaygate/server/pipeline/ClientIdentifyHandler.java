package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.relaygate.codec.client.ClientIdentifier;
import io.relaygate.codec.client.ClientIdentity;
import io.relaygate.core.config.LoggingConfig;
import io.relaygate.core.signatures.ClientSignatures;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IDENTIFY: tells Claude Code and Codex from other clients ({@link ClientIdentifier}: the user agent and the client's
 * own system prompt must agree) and passes the request on with the kind, version, session and evidence attached.
 * The access log carries the kind and version; the evidence is logged here at DEBUG (header names, client versions
 * and the name of the prompt signature that matched, never a prompt or a secret), and the request's shape when {@code logging.shapes} covers its
 * key ({@link ShapeLog}). Stateless (its settings are immutable), so one instance serves every channel.
 */
@ChannelHandler.Sharable
public final class ClientIdentifyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ClientIdentifyHandler.class);

    private final ShapeLog shapes;
    private final Supplier<ClientSignatures> signatures;

    /** With the shipped signatures. */
    public ClientIdentifyHandler(LoggingConfig logging) {
        this(logging, ClientSignatures::shipped);
    }

    /** @param signatures the signatures in use now (a volatile read of the live snapshot per request) */
    public ClientIdentifyHandler(LoggingConfig logging, Supplier<ClientSignatures> signatures) {
        this.shapes = new ShapeLog(logging);
        this.signatures = signatures;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ProxyRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ProxyRequest proxy = (ProxyRequest) msg;
        ClientSignatures used = signatures.get();
        ClientIdentity client =
                ClientIdentifier.identify(proxy.request.headers()::get, proxy.skim, proxy.info.route.hasBody(), used);
        if (logger.isDebugEnabled()) {
            logger.debug(
                    "{} client={} evidence=\"{}\"", proxy.info.id, client.kind().wireName(), client.evidence());
        }
        proxy.info.client = client.kind();
        proxy.info.clientVersion = client.version();
        ProxyRequest identified = proxy.withClient(client, used);
        shapes.log(identified);
        ctx.fireChannelRead(identified);
    }
}
