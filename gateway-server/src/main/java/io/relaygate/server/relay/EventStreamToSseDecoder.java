package io.relaygate.server.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.relaygate.codec.bedrock.BedrockEventStreamDecoder;
import io.relaygate.codec.bedrock.BedrockStreamException;
import io.relaygate.core.Secrets;
import io.relaygate.core.UpstreamFailure;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * UPSTREAM_EVENT_STREAM: during a call to a {@code bedrock} account, turns Bedrock's streamed answer
 * ({@code application/vnd.amazon.eventstream}) into the Anthropic SSE stream the rest of the relay (passthrough with
 * its usage tap, or a converter for OpenAI-format clients) reads from any Anthropic account. Each upstream buffer
 * becomes one SSE buffer (the frames it completed), so backpressure and flushing work as for any stream.
 *
 * <p>An exception frame ({@code throttlingException}, {@code serviceUnavailableException},
 * {@code modelStreamErrorException}, …) becomes a {@link Failure} through {@code exceptionCaught}, classified for the
 * client's error and the account's cool-down. Bedrock's {@code ServiceUnavailableException} answered as HTTP 503
 * becomes 529 (overloaded), as Anthropic's API says it. Other answers pass untouched.
 *
 * <p>Owns each content it reads: released here, a new buffer goes on. One per call, removed when the call detaches.
 */
final class EventStreamToSseDecoder extends ChannelInboundHandlerAdapter {

    /** A Bedrock stream ended with an exception: what the client and the account's cool-down make of it. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient UpstreamFailure failure;

        Failure(UpstreamFailure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }

        UpstreamFailure failure() {
            return failure;
        }
    }

    private enum State {
        AWAITING_HEAD,
        DECODING,
        PASSING,
        FAILED
    }

    private final String exchangeId;
    private State state = State.AWAITING_HEAD;
    private @Nullable BedrockEventStreamDecoder decoder;

    EventStreamToSseDecoder(String exchangeId) {
        this.exchangeId = exchangeId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse && !(msg instanceof FullHttpResponse) && state == State.AWAITING_HEAD) {
            ctx.fireChannelRead(head((HttpResponse) msg));
            return;
        }
        if (state == State.FAILED && msg instanceof HttpContent) {
            ((HttpContent) msg).release(); // the rest of a stream that already failed
            return;
        }
        if (state != State.DECODING || !(msg instanceof HttpContent)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HttpContent content = (HttpContent) msg;
        boolean last = content instanceof LastHttpContent;
        ByteBuf out = ctx.alloc().buffer(content.content().readableBytes() + 64);
        BedrockStreamException failed = null;
        try {
            decoder().decode(content.content(), out);
        } catch (BedrockStreamException e) {
            failed = e;
        } finally {
            content.release();
        }
        if (failed != null) {
            state = State.FAILED;
            if (out.isReadable()) {
                ctx.fireChannelRead(new DefaultHttpContent(out));
            } else {
                out.release();
            }
            ctx.fireExceptionCaught(failure(failed));
            return;
        }
        ctx.fireChannelRead(last ? new DefaultLastHttpContent(out) : new DefaultHttpContent(out));
    }

    private HttpResponse head(HttpResponse head) {
        String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        int status = head.status().code();
        if (status < 300 && type.startsWith("application/vnd.amazon.eventstream")) {
            state = State.DECODING;
            decoder = new BedrockEventStreamDecoder();
            HttpResponse out = new DefaultHttpResponse(
                    head.protocolVersion(), head.status(), head.headers().copy());
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            out.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            HttpUtil.setTransferEncodingChunked(out, true);
            return out;
        }
        state = State.PASSING;
        String error = head.headers().get("x-amzn-errortype", "");
        if (status == 503 && error.startsWith("ServiceUnavailableException")) {
            head.setStatus(HttpResponseStatus.valueOf(529, "Overloaded"));
        }
        return head;
    }

    /** Bedrock's stream exceptions, by the types its InvokeModelWithResponseStream API lists. */
    static Failure failure(BedrockStreamException e) {
        String type = e.type().toLowerCase(Locale.ROOT);
        UpstreamFailure f;
        if (type.startsWith("throttling")) {
            f = UpstreamFailure.RATE_LIMITED;
        } else if (type.startsWith("serviceunavailable")) {
            f = UpstreamFailure.OVERLOADED;
        } else if (type.startsWith("modeltimeout")) {
            f = UpstreamFailure.IDLE_TIMEOUT;
        } else if (type.startsWith("validation")) {
            f = UpstreamFailure.CLIENT_ERROR;
        } else if (type.equals(BedrockStreamException.MALFORMED.toLowerCase(Locale.ROOT))) {
            f = UpstreamFailure.PROTOCOL_ERROR;
        } else {
            // modelStreamErrorException, internalServerException and anything new: the model failed this request
            f = UpstreamFailure.SERVER_ERROR;
        }
        return new Failure(f, Secrets.redact(e.type() + ": " + e.getMessage()));
    }

    private BedrockEventStreamDecoder decoder() {
        BedrockEventStreamDecoder d = decoder;
        if (d == null) {
            throw new IllegalStateException("[" + exchangeId + "] no decoder while decoding");
        }
        return d;
    }
}
