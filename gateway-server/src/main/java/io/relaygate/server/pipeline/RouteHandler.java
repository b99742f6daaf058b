package io.relaygate.server.pipeline;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.core.ErrorBodies;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Ids;
import io.relaygate.core.Route;
import io.relaygate.core.WireFormat;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * ROUTE: resolves the request head to a {@link Route} before any body is read, and answers what needs no route:
 * health checks, unknown paths (404), wrong methods (405), undecodable requests (400) and declared bodies over the
 * limit (413). A rejected request's body is dropped here, so nothing behind this handler buffers it.
 *
 * <p>Per-connection state: whether the rest of the current request is being discarded.
 */
public final class RouteHandler extends ChannelInboundHandlerAdapter {

    private final long maxBodyBytes;
    private final @Nullable AdminRoutes admin;
    private final LongAdder webSocketRefusals;
    /** Health, readiness and metrics. */
    private final OpsEndpoints ops;

    private boolean discarding;
    /** An admin request whose (small, JSON) body is being collected. */
    private @Nullable HttpRequest adminRequest;

    private @Nullable String adminPath;
    private io.netty.buffer.@Nullable CompositeByteBuf adminBody;

    /** Largest admin request body (account JSON). */
    static final int MAX_ADMIN_BODY_BYTES = 256 * 1024;

    public RouteHandler(long maxBodyBytes) {
        this(maxBodyBytes, null, new LongAdder(), OpsEndpoints.healthOnly());
    }

    /** Health and readiness, where readiness is only the drain (tests of the pipeline alone). */
    public RouteHandler(
            long maxBodyBytes, @Nullable AdminRoutes admin, LongAdder webSocketRefusals, Draining draining) {
        this(
                maxBodyBytes,
                admin,
                webSocketRefusals,
                new OpsEndpoints(new Readiness().add(Readiness.drainingCheck(draining)), null, null));
    }

    public RouteHandler(long maxBodyBytes, @Nullable AdminRoutes admin, LongAdder webSocketRefusals, OpsEndpoints ops) {
        this.ops = java.util.Objects.requireNonNull(ops, "ops");
        this.maxBodyBytes = maxBodyBytes;
        this.admin = admin;
        this.webSocketRefusals = webSocketRefusals;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (LingeringClose.closing(ctx.channel())) {
            // A refused request's body (or anything after it) on a connection that is closing: dropped.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            discarding = false;
            HttpRequest request = (HttpRequest) msg;
            if (!handleHead(ctx, request)) {
                discarding = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        } else if (msg instanceof HttpContent && adminRequest != null) {
            collectAdminBody(ctx, (HttpContent) msg);
        } else if (msg instanceof HttpContent && discarding) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** The status that tells a WebSocket client to talk plain HTTP instead. */
    static final int UPGRADE_REQUIRED = 426;

    static boolean isWebSocketUpgrade(HttpRequest request) {
        return HttpMethod.GET.equals(request.method())
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private void collectAdminBody(ChannelHandlerContext ctx, HttpContent content) {
        io.netty.buffer.CompositeByteBuf body = java.util.Objects.requireNonNull(adminBody, "adminBody");
        if (body.readableBytes() + content.content().readableBytes() > MAX_ADMIN_BODY_BYTES) {
            content.release();
            body.release();
            adminRequest = null;
            adminBody = null;
            discarding = true;
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(
                                    WireFormat.OPENAI_CHAT,
                                    ErrorKind.REQUEST_TOO_LARGE,
                                    "admin request body over " + MAX_ADMIN_BODY_BYTES + " bytes")
                            .closing(!(content instanceof io.netty.handler.codec.http.LastHttpContent)));
            return;
        }
        body.addComponent(true, content.content().retain());
        content.release();
        if (content instanceof io.netty.handler.codec.http.LastHttpContent) {
            HttpRequest request = java.util.Objects.requireNonNull(adminRequest, "adminRequest");
            String path = java.util.Objects.requireNonNull(adminPath, "adminPath");
            adminRequest = null;
            adminBody = null;
            try {
                java.util.Objects.requireNonNull(admin, "admin").handle(ctx, request, path, body);
            } finally {
                body.release();
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        io.netty.buffer.CompositeByteBuf body = adminBody;
        adminBody = null;
        if (body != null) {
            body.release();
        }
    }

    /** Returns true when the request goes on down the pipeline. */
    private boolean handleHead(ChannelHandlerContext ctx, HttpRequest request) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        RequestTrail trail = RequestTrail.current(ctx.channel());

        if (request.decoderResult().isFailure()) {
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(WireFormat.ANTHROPIC, ErrorKind.INVALID_REQUEST, "malformed HTTP request")
                            .closing(true));
            return false;
        }
        if (ops.handle(ctx, request, path, hasBody)) {
            if (trail != null) {
                trail.markUnlogged();
            }
            return false;
        }
        AdminRoutes a = admin;
        if (a != null && a.matches(path)) {
            if (trail != null) {
                trail.markUnlogged();
            }
            if (hasBody && HttpMethod.POST.equals(request.method())) {
                adminRequest = request;
                adminPath = path;
                adminBody = ctx.alloc().compositeBuffer();
                return false;
            }
            a.handle(ctx, request, path, Unpooled.EMPTY_BUFFER);
            return false;
        }
        Route route = RouteResolver.resolve(path);
        if (route == null) {
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(
                                    RouteResolver.errorFormat(path),
                                    ErrorKind.NOT_FOUND,
                                    "no route for " + request.method() + " " + path)
                            .closing(hasBody));
            return false;
        }
        if (route == Route.RESPONSES && isWebSocketUpgrade(request)) {
            // Codex's built-in provider tries the Responses WebSocket mode first; 426 makes it use HTTP at once.
            byte[] body = ErrorBodies.json(
                    WireFormat.OPENAI_RESPONSES,
                    ErrorKind.INVALID_REQUEST,
                    "WebSocket mode is not supported by this gateway: send POST " + path + " (HTTP with SSE)");
            webSocketRefusals.increment();
            ErrorResponder.sendRaw(ctx, UPGRADE_REQUIRED, body, "req_" + Ids.unique(20), null);
            return false;
        }
        RequestInfo info = new RequestInfo(route, uri, System.nanoTime(), ClientAddress.of(ctx.channel()));
        if (trail != null) {
            trail.routed(info);
        }
        HttpMethod expected = RouteResolver.method(route);
        if (!expected.equals(request.method())) {
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(
                                    route.format(),
                                    ErrorKind.METHOD_NOT_ALLOWED,
                                    request.method() + " " + path + " is not allowed (expected: " + expected + ")")
                            .requestId(info.id)
                            .closing(hasBody));
            return false;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodyBytes) {
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(
                                    route.format(),
                                    ErrorKind.REQUEST_TOO_LARGE,
                                    "request body of " + declared + " bytes is over the limit of " + maxBodyBytes
                                            + " bytes")
                            .requestId(info.id)
                            .closing(true));
            return false;
        }
        info.openAiCaller = route == Route.MODELS
                && (path.startsWith("/openai/") || !request.headers().contains("anthropic-version"));
        ctx.channel().attr(RequestInfo.KEY).set(info);
        return true;
    }
}
