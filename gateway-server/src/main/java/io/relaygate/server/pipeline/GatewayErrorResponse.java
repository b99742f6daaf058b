package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.core.ErrorKind;

/**
 * An error answer the gateway made itself ({@link ErrorResponder}), carrying its {@link ErrorKind} so that the request
 * log names the kind without reading the body. Encoded like any full response.
 */
public final class GatewayErrorResponse extends DefaultFullHttpResponse {

    private final ErrorKind kind;

    /** Takes ownership of {@code content}. */
    GatewayErrorResponse(ErrorKind kind, ByteBuf content) {
        super(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(kind.status()), content);
        this.kind = requireNonNull(kind, "kind");
    }

    public ErrorKind kind() {
        return kind;
    }
}
