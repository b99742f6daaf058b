package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import io.relaygate.codec.client.ClientIdentity;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.ClientKind;
import io.relaygate.core.signatures.ClientSignatures;

/**
 * A complete, authenticated, skimmed request on its way to RELAY. Owns the aggregated {@link FullHttpRequest}: whoever
 * takes a {@code ProxyRequest} releases it once, which releases the body.
 */
public final class ProxyRequest extends AbstractReferenceCounted {

    public final RequestInfo info;
    public final FullHttpRequest request;
    public final SkimmedRequest skim;
    public final ClientIdentity client;
    /** The client signatures IDENTIFY used: the same snapshot adapts the request for subscription accounts. */
    public final ClientSignatures signatures;

    /** Takes ownership of {@code request}; with the shipped signatures. */
    public ProxyRequest(RequestInfo info, FullHttpRequest request, SkimmedRequest skim, ClientIdentity client) {
        this(info, request, skim, client, ClientSignatures.shipped());
    }

    /** Takes ownership of {@code request}. */
    public ProxyRequest(
            RequestInfo info,
            FullHttpRequest request,
            SkimmedRequest skim,
            ClientIdentity client,
            ClientSignatures signatures) {
        this.info = requireNonNull(info, "info");
        this.request = requireNonNull(request, "request");
        this.skim = requireNonNull(skim, "skim");
        this.client = requireNonNull(client, "client");
        this.signatures = requireNonNull(signatures, "signatures");
    }

    /** Not yet identified: what SKIM passes on to IDENTIFY. */
    static final ClientIdentity UNIDENTIFIED = new ClientIdentity(ClientKind.OTHER, "not identified yet", null, null);

    /** This request with its client identified; ownership of the request moves to the returned one. */
    ProxyRequest withClient(ClientIdentity identified, ClientSignatures used) {
        return new ProxyRequest(info, request, skim, identified, used);
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
