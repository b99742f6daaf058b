package io.relaygate.server.admin;

import io.netty.channel.ChannelHandlerContext;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import io.relaygate.server.pipeline.ErrorAnswer;
import io.relaygate.server.pipeline.ErrorResponder;
import io.relaygate.server.pipeline.EventLoops;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /admin/requests?key=K&account=A&since=1h&until=…&limit=100[&format=csv]}: per-request records, newest
 * first, as {@code {"requests":[…],"next":null}} or CSV ({@link RequestsView}); what {@code relaygate requests} prints.
 * Answered straight to the channel (not through {@link AdminRouter}'s JSON answers) because of the CSV form.
 */
final class AdminRequests {

    private final Store store;
    private final Clock clock;

    AdminRequests(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    void serve(ChannelHandlerContext ctx, Map<String, List<String>> query, String id) {
        RequestQuery q;
        String format = first(query, "format");
        try {
            if (format != null && !format.equalsIgnoreCase("csv") && !format.equalsIgnoreCase("json")) {
                throw new IllegalArgumentException("format: " + format + " (expected: json or csv)");
            }
            q = RequestsView.query(
                    first(query, "key"),
                    first(query, "account"),
                    first(query, "since"),
                    first(query, "until"),
                    first(query, "limit"),
                    clock.instant());
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorKind.INVALID_REQUEST, e.getMessage(), id);
            return;
        }
        boolean csv = "csv".equalsIgnoreCase(format);
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(store.requests().read(q), ctx.executor(), (records, failure) -> {
            ctx.channel().config().setAutoRead(true);
            if (failure != null) {
                error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(failure.toString()), id);
            } else if (csv) {
                ErrorResponder.sendBody(
                        ctx,
                        200,
                        "text/csv; charset=utf-8",
                        RequestsView.csv(records).getBytes(StandardCharsets.UTF_8),
                        id);
            } else {
                ErrorResponder.sendJson(ctx, 200, RequestsView.json(records).toString(), id);
            }
        });
    }

    private static @Nullable String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0).trim();
    }

    private static void error(ChannelHandlerContext ctx, ErrorKind kind, String message, String id) {
        ErrorResponder.send(
                ctx, ErrorAnswer.of(WireFormat.OPENAI_CHAT, kind, message).requestId(id));
    }
}
