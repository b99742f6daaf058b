package io.relaygate.server.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.WireFormat;
import io.relaygate.server.exchange.AccountAttempts;
import io.relaygate.server.exchange.Exchange;
import io.relaygate.server.upstream.UpstreamErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upstream's error answer (status 400 and up) being read before anything reached the client: its body is collected
 * (bounded: the rest is dropped) and then decides the exchange's next step: refresh the token and try the same account,
 * try the next account, or answer the client (with the upstream's own body when it is in the client's format).
 *
 * <p>Owns its body buffer until {@link #release()}.
 */
final class UpstreamErrorAnswer {

    private static final Logger logger = LoggerFactory.getLogger(UpstreamErrorAnswer.class);

    /** What the relay does once the error was read. */
    enum Next {
        /** Refresh the account's token (forced) and try it again. */
        REFRESH_AND_RETRY,
        /** Try the account that is now current. */
        NEXT_ACCOUNT,
        /** Answer the client with {@link #answer}: no account is left to try. */
        ANSWER
    }

    private final HttpResponse head;
    private final ByteBuf body;

    UpstreamErrorAnswer(HttpResponse head, ByteBufAllocator alloc, int maxBodyBytes) {
        this.head = head;
        this.body = alloc.buffer(Math.min(maxBodyBytes, 4096), maxBodyBytes);
    }

    /** Appends what fits of {@code content} (not retained). */
    void append(ByteBuf content) {
        body.writeBytes(content, Math.min(content.readableBytes(), body.maxWritableBytes()));
    }

    /** Whether the connection may carry another request after this answer. */
    boolean keepAlive() {
        return HttpUtil.isKeepAlive(head);
    }

    /** Decides what follows the whole answer, reporting the failure to the exchange's attempts. */
    Next next(Exchange exchange) {
        int status = head.status().code();
        AccountAttempts attempts = exchange.attempts();
        String account = attempts.current().name();
        if (attempts.refreshAfterRefusal(status)) {
            // A subscription token the upstream no longer takes: refresh it once and try the same account again.
            logger.debug("[{}] account {} refused its access token; refreshing it", exchange.id(), account);
            return Next.REFRESH_AND_RETRY;
        }
        String upstreamMessage = UpstreamErrors.message(body);
        logger.debug("[{}] account {} answered {}: {}", exchange.id(), account, status, upstreamMessage);
        UpstreamFailure failure = UpstreamFailure.forStatus(status);
        if (attempts.failed(
                failure,
                "HTTP " + status + (upstreamMessage.isEmpty() ? "" : ": " + upstreamMessage),
                head.headers())) {
            return Next.NEXT_ACCOUNT;
        }
        return Next.ANSWER;
    }

    /**
     * Ends {@code exchange} with this error: the upstream's own body when the client can read it as it is, else the
     * gateway's error in the client's format.
     */
    void answer(Exchange exchange) {
        int status = head.status().code();
        String upstreamMessage = UpstreamErrors.message(body);
        UpstreamFailure failure = UpstreamFailure.forStatus(status);
        WireFormat accountFormat = exchange.attempts().current().kind().format();
        WireFormat clientFormat = exchange.request().info.route.format();
        byte[] relayable = failure == UpstreamFailure.UNAUTHORIZED
                ? null
                : UpstreamErrors.relayableBody(clientFormat, accountFormat, body);
        Long retryAfter = UpstreamErrors.retryAfterSeconds(head.headers());
        if (relayable != null) {
            exchange.respondRaw(status, relayable, retryAfter);
        } else {
            String message = failure.description() + " (HTTP " + status + ")"
                    + (upstreamMessage.isEmpty() ? "" : ": " + upstreamMessage);
            exchange.respondError(
                    failure == UpstreamFailure.CLIENT_ERROR ? ErrorKind.forStatus(status) : failure.errorKind(),
                    message,
                    retryAfter);
        }
    }

    void release() {
        body.release();
    }
}
