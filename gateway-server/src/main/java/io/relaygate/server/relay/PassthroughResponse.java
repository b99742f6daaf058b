package io.relaygate.server.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.relaygate.codec.convert.UsageTap;
import io.relaygate.codec.sse.ErrorEvents;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.WireFormat;
import io.relaygate.server.exchange.Exchange;
import io.relaygate.server.exchange.UsageLimitHeaders;
import io.relaygate.server.pipeline.ErrorResponder;
import io.relaygate.server.upstream.ResponseHeaders;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * An answer in the client's own format: the head is copied (hop-by-hop headers dropped), every upstream buffer goes
 * to the client untouched, and the usage is tapped from the bytes as they pass. An SSE stream gets keep-alives.
 */
final class PassthroughResponse implements ClientResponse {

    private static final byte[] EVENT_BREAK = {'\n', '\n'};

    private final ChannelHandlerContext client;
    private final WireFormat format;
    private final UsageTap tap;
    private final boolean sse;
    private final @Nullable KeepAlive keepAlive;
    private Ending ending = Ending.COMPLETE;

    private PassthroughResponse(
            ChannelHandlerContext client,
            Exchange exchange,
            HttpResponse head,
            WireFormat upstreamFormat,
            long keepAliveNanos,
            LongSupplier lastRead) {
        this.client = client;
        this.format = exchange.request().info.route.format();
        this.sse = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "").startsWith("text/event-stream");
        this.tap = UsageTap.of(exchange.request().info.route, upstreamFormat, sse);
        exchange.usageFrom(tap::usage);
        // the client's connection is the gateway's own HTTP/1.1 one: an HTTP/1.0 upstream's version would make the
        // answer close-delimited for the client's side too (and chunked HTTP/1.0 is no valid answer)
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status());
        ResponseHeaders.copy(head.headers(), out.headers());
        java.util.Map<String, String> limits = exchange.usageLimitHeaders();
        if (limits != null) {
            // a key with a cost cap: its own standing, never the upstream account's quota
            UsageLimitHeaders.stripUpstream(out.headers());
            limits.forEach(out.headers()::set);
        }
        out.headers().set(ErrorResponder.REQUEST_ID_HEADER, exchange.id());
        if (!head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        client.write(out).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        exchange.firstByteSent();
        this.keepAlive = sse ? KeepAlive.start(client, format, keepAliveNanos, lastRead) : null;
    }

    /** Writes the client's head for {@code head} (an upstream success in {@code upstreamFormat}). */
    static PassthroughResponse start(
            ChannelHandlerContext client,
            Exchange exchange,
            HttpResponse head,
            WireFormat upstreamFormat,
            long keepAliveNanos,
            LongSupplier lastRead) {
        return new PassthroughResponse(client, exchange, head, upstreamFormat, keepAliveNanos, lastRead);
    }

    @Override
    public boolean content(HttpContent content) {
        tap.feed(content.content());
        if (keepAlive != null) {
            keepAlive.relayed(content.content());
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            tap.finish();
            if (sse && !tap.ended()) {
                // Ended before its final event: what came is relayed, the stream stays open for the error event.
                ending = Ending.TRUNCATED;
                if (content.content().isReadable()) {
                    client.write(new DefaultHttpContent(content.content()))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                } else {
                    content.release();
                }
                return true;
            }
            if (tap.upstreamError() != null) {
                ending = Ending.UPSTREAM_ERROR;
            }
        }
        // The upstream's buffer goes to the client as is: ownership moves with the write.
        client.write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return last;
    }

    @Override
    public Ending ending() {
        return ending;
    }

    @Override
    public @Nullable String upstreamError() {
        return tap.upstreamError();
    }

    @Override
    public Failure failMidStream(UpstreamFailure failure, String message) {
        tap.finish();
        if (!sse) {
            return Failure.CUT;
        }
        if (tap.ended()) {
            // the final event came before the connection failed: the answer is whole, an error event after it
            // would only confuse the client
            client.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            return Failure.COMPLETE;
        }
        byte[] event = ErrorEvents.bytes(format, failure.errorKind(), message);
        // Two line ends first: an event the upstream left half-sent is ended there (its bytes cannot be taken back),
        // so the error event is read on its own; after a whole event they are empty lines, which SSE ignores.
        client.write(new DefaultHttpContent(Unpooled.wrappedBuffer(EVENT_BREAK, event)))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return Failure.STREAM_ENDED;
    }

    @Override
    public void cancelled() {
        tap.finish();
    }

    @Override
    public void release() {
        KeepAlive.cancel(keepAlive);
    }
}
