package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import io.relaygate.codec.client.ClientIdentity;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.ClientKind;

/**
 * A complete, authenticated, skimmed request on its way to RELAY. Owns the aggregated {@link FullHttpRequest}: whoever
 * takes a {@code ProxyRequest} releases it once, which releases the body.
 */
public final class ProxyRequest extends AbstractReferenceCounted {

    public final RequestInfo info;
    public final FullHttpRequest request;
    public final SkimmedRequest skim;
    public final ClientIdentity client;

    /** Takes ownership of {@code request}. */
    public ProxyRequest(RequestInfo info, FullHttpRequest request, SkimmedRequest skim, ClientIdentity client) {
        this.info = requireNonNull(info, "info");
        this.request = requireNonNull(request, "request");
        this.skim = requireNonNull(skim, "skim");
        this.client = requireNonNull(client, "client");
    }

    /** Not yet identified: what SKIM passes on to IDENTIFY. */
    static final ClientIdentity UNIDENTIFIED = new ClientIdentity(ClientKind.OTHER, "not identified yet", null, null);

    /** This request with its client identified; ownership of the request moves to the returned one. */
    ProxyRequest withClient(ClientIdentity identified) {
        return new ProxyRequest(info, request, skim, identified);
    }

    @Override
    protected void deallocate() {
        request.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        request.touch(hint);
        return this;
    }
}
