package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.WireFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints for load balancers and monitoring that ROUTE answers itself, never logged per request:
 * {@code /healthz} (liveness: 200 while the process runs), {@code /readyz} (200, or 503 with the reason while
 * {@link Readiness} says no) and {@code /metrics} (the Prometheus text format, when metrics are on; with the admin
 * token when so configured). Shared by every connection: immutable.
 */
public final class OpsEndpoints {

    /** The Prometheus scrape: the text exposition format, completing off the event loop when it must read the store. */
    @FunctionalInterface
    public interface Scrape {
        CompletionStage<String> scrape();
    }

    /** Prometheus text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private final Readiness readiness;
    private final @Nullable Scrape metrics;
    private final byte @Nullable [] metricsToken;

    /**
     * @param metrics the scrape, or null when metrics are off ({@code /metrics} is then an unknown route)
     * @param metricsToken the admin token a scrape must present, or null when scrapes need none
     */
    public OpsEndpoints(Readiness readiness, @Nullable Scrape metrics, @Nullable String metricsToken) {
        this.readiness = requireNonNull(readiness, "readiness");
        this.metrics = metrics;
        this.metricsToken = metricsToken == null ? null : metricsToken.getBytes(StandardCharsets.UTF_8);
    }

    /** Health and readiness only, always ready (tests of the pipeline alone). */
    public static OpsEndpoints healthOnly() {
        return new OpsEndpoints(new Readiness(), null, null);
    }

    /** Answers {@code request} when {@code path} is one of these endpoints; returns whether it did. */
    boolean handle(ChannelHandlerContext ctx, HttpRequest request, String path, boolean hasBody) {
        switch (path) {
            case "/healthz":
                send(ctx, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON.toString(), OK, hasBody);
                return true;
            case "/readyz":
                String reason = readiness.notReadyReason();
                if (reason == null) {
                    send(ctx, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON.toString(), OK, hasBody);
                } else {
                    byte[] body = ("{\"status\":\"unavailable\",\"reason\":\"" + reason.replace("\"", "'") + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    send(
                            ctx,
                            HttpResponseStatus.SERVICE_UNAVAILABLE,
                            HttpHeaderValues.APPLICATION_JSON.toString(),
                            body,
                            hasBody);
                }
                return true;
            case "/metrics":
                Scrape m = metrics;
                if (m == null) {
                    return false;
                }
                scrape(ctx, request, m, hasBody);
                return true;
            default:
                return false;
        }
    }

    private void scrape(ChannelHandlerContext ctx, HttpRequest request, Scrape m, boolean hasBody) {
        if (!HttpMethod.GET.equals(request.method())) {
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(
                                    WireFormat.OPENAI_CHAT,
                                    ErrorKind.METHOD_NOT_ALLOWED,
                                    request.method() + " /metrics is not allowed (expected: GET)")
                            .closing(hasBody));
            return;
        }
        if (!authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            ErrorResponder.send(
                    ctx,
                    ErrorAnswer.of(
                                    WireFormat.OPENAI_CHAT,
                                    ErrorKind.AUTHENTICATION,
                                    "/metrics needs the admin token (Authorization: Bearer)")
                            .closing(hasBody));
            return;
        }
        // No further request is read until the scrape is answered: responses stay in request order.
        ctx.channel().config().setAutoRead(false);
        m.scrape().whenComplete((text, e) -> ctx.executor().execute(() -> {
            ctx.channel().config().setAutoRead(true);
            if (e != null || text == null) {
                ErrorResponder.send(
                        ctx,
                        ErrorAnswer.of(WireFormat.OPENAI_CHAT, ErrorKind.API_ERROR, "metrics scrape failed")
                                .closing(true));
                return;
            }
            send(ctx, HttpResponseStatus.OK, PROMETHEUS_TEXT, text.getBytes(StandardCharsets.UTF_8), hasBody);
        }));
    }

    private boolean authorized(@Nullable String header) {
        byte[] expected = metricsToken;
        if (expected == null) {
            return true;
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(expected, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(
            ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, byte[] body, boolean hasBody) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (hasBody) {
            // a body on these endpoints is not read: the connection closes after the answer
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            LingeringClose.mark(ctx.channel());
        }
        ctx.writeAndFlush(r).addListener(f -> {
            if (hasBody) {
                LingeringClose.start(ctx.channel());
            } else if (!f.isSuccess()) {
                ctx.close();
            }
        });
    }
}
