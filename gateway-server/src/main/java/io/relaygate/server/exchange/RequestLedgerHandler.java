package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import io.relaygate.server.pipeline.ClientAddress;
import io.relaygate.server.pipeline.ErrorResponder;
import io.relaygate.server.pipeline.GatewayErrorResponse;
import io.relaygate.server.pipeline.RequestInfo;
import io.relaygate.server.pipeline.RequestTrail;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * LEDGER: the one place where a request that never became an {@link Exchange} gets its outcome. It notes every request
 * head as it is read (a {@link RequestTrail}, which ROUTE links to the request's {@link RequestInfo}) and, when that
 * request's response head is written (HTTP/1.1 answers in order), reports it to the listeners ({@link
 * ExchangeListener#onRefused}) unless ADMIT made an exchange of it (which reports its own) or it was one of the
 * operator's endpoints. The refusals of ROUTE (unknown path, wrong method, too large, unreadable), AUTH (no key, bad
 * key, disabled key, key store away), SKIM (bad request) and LIMITS (model and client rules) all pass here without a
 * line of their own. Requests still open when the connection closes were left by their client. Every response gets
 * the request id header, so a client can quote it.
 *
 * <p>Per-connection state: the heads not yet answered, in order. Their number is bounded by the pipeline (ROUTE
 * answers at once, AUTH holds one lookup's worth, ADMIT closes a connection with a third pipelined request).
 */
public final class RequestLedgerHandler extends ChannelDuplexHandler {

    private final ExchangeListener listener;
    private final ArrayDeque<RequestTrail> open = new ArrayDeque<>();

    public RequestLedgerHandler(ExchangeListener listener) {
        this.listener = requireNonNull(listener, "listener");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            RequestTrail trail = new RequestTrail(System.nanoTime());
            open.add(trail);
            RequestTrail.begin(ctx.channel(), trail);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && ((HttpResponse) msg).status().code() >= 200) {
            // 1xx (100 Continue) are interim: the final answer follows
            answered(ctx, (HttpResponse) msg);
        }
        ctx.write(msg, promise);
    }

    private void answered(ChannelHandlerContext ctx, HttpResponse response) {
        RequestTrail trail = open.poll();
        if (trail == null || trail.unlogged()) {
            return;
        }
        RequestInfo info = trail.info();
        if (info != null && info.isAdmitted()) {
            return;
        }
        String id = info != null ? info.id : response.headers().get(ErrorResponder.REQUEST_ID_HEADER);
        if (id == null) {
            id = "req_" + Ids.unique(20);
        }
        if (!response.headers().contains(ErrorResponder.REQUEST_ID_HEADER)) {
            response.headers().set(ErrorResponder.REQUEST_ID_HEADER, id);
        }
        int status = response.status().code();
        ErrorKind kind = response instanceof GatewayErrorResponse
                ? ((GatewayErrorResponse) response).kind()
                : status >= 400 ? ErrorKind.forStatus(status) : null;
        report(ctx, trail, id, status, ExchangeOutcome.End.REFUSED, kind);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (RequestTrail trail; (trail = open.poll()) != null; ) {
            RequestInfo info = trail.info();
            if (!trail.unlogged() && (info == null || !info.isAdmitted())) {
                report(
                        ctx,
                        trail,
                        info != null ? info.id : "req_" + Ids.unique(20),
                        0,
                        ExchangeOutcome.End.CLIENT_CANCELLED,
                        null);
            }
        }
        ctx.fireChannelInactive();
    }

    private void report(
            ChannelHandlerContext ctx,
            RequestTrail trail,
            String id,
            int status,
            ExchangeOutcome.End end,
            @Nullable ErrorKind kind) {
        RequestInfo info = trail.info();
        ApiKey key = info == null ? null : info.presentedKey();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - trail.startNanos);
        listener.onRefused(new ExchangeOutcome(
                id,
                key == null ? null : key.id(),
                key == null ? null : key.name(),
                info == null ? null : info.route,
                info == null ? io.relaygate.core.ClientKind.OTHER : info.client(),
                info == null ? null : info.model(),
                null,
                null,
                null,
                status,
                0,
                end,
                Usage.ZERO,
                millis,
                status == 0 ? -1 : millis,
                0,
                null,
                null,
                null,
                false,
                java.util.Set.of(),
                null,
                info == null ? null : info.clientVersion(),
                false,
                0,
                0,
                kind == null ? null : kind.name().toLowerCase(Locale.ROOT),
                info != null ? info.clientAddress : ClientAddress.of(ctx.channel()),
                List.of(),
                List.of()));
    }
}
