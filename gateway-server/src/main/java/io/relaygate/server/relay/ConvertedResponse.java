package io.relaygate.server.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.core.Account;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.server.exchange.Exchange;
import io.relaygate.server.pipeline.ProxyRequest;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * An answer converted to the client's format by a {@link ResponseConverter}: a stream event by event (with
 * keep-alives), a whole answer once it is complete.
 */
final class ConvertedResponse implements ClientResponse {

    private final ChannelHandlerContext client;
    private final Exchange exchange;
    private final ResponseConverter converter;
    private final @Nullable KeepAlive keepAlive;

    private ConvertedResponse(
            ChannelHandlerContext client,
            Exchange exchange,
            HttpResponse head,
            Conversion conversion,
            long keepAliveNanos,
            LongSupplier lastRead) {
        this.client = client;
        this.exchange = exchange;
        boolean sse = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "").startsWith("text/event-stream");
        this.converter =
                new ResponseConverter(conversion, client, exchange.id(), sse, ResponseConverter.MAX_WHOLE_BODY_BYTES);
        java.util.Map<String, String> limits = exchange.usageLimitHeaders();
        if (limits != null) {
            converter.addHeaders(limits);
        }
        exchange.usageFrom(converter::usage);
        if (converter.writeHeadIfStreaming()) {
            exchange.firstByteSent();
            keepAlive = KeepAlive.start(client, exchange.request().info.route.format(), keepAliveNanos, lastRead);
        } else {
            keepAlive = null;
        }
    }

    /**
     * The conversion an attempt needs when the client and {@code account} speak different formats, else null.
     *
     * @throws io.relaygate.core.GatewayException when the request cannot be converted (the client is told why)
     */
    static @Nullable Conversion conversionFor(ProxyRequest r, Account account, Catalogue catalogue) {
        return Conversion.needed(r.info.route, r.info.openAiCaller, account)
                ? Conversion.prepare(
                        r.info.route,
                        r.info.openAiCaller,
                        r.skim,
                        r.client.kind(),
                        r.request.content(),
                        account,
                        catalogue)
                : null;
    }

    /** Starts converting the answer that begins with {@code head} (an upstream success). */
    static ConvertedResponse start(
            ChannelHandlerContext client,
            Exchange exchange,
            HttpResponse head,
            Conversion conversion,
            long keepAliveNanos,
            LongSupplier lastRead) {
        return new ConvertedResponse(client, exchange, head, conversion, keepAliveNanos, lastRead);
    }

    @Override
    public boolean content(HttpContent content) {
        boolean done = converter.content(content);
        if (done) {
            // a whole answer's head and body went out just now
            exchange.firstByteSent();
        }
        return done;
    }

    @Override
    public Ending ending() {
        if (converter.truncated()) {
            return Ending.TRUNCATED;
        }
        return converter.upstreamError() != null ? Ending.UPSTREAM_ERROR : Ending.COMPLETE;
    }

    @Override
    public @Nullable String upstreamError() {
        return converter.upstreamError();
    }

    @Override
    public Failure failMidStream(UpstreamFailure failure, String message) {
        if (!exchange.headSent()) {
            // A whole answer was being collected: nothing reached the client, so it gets a plain error.
            return Failure.ANSWER_ERROR;
        }
        if (converter.completeIfUpstreamEnded()) {
            return Failure.COMPLETE;
        }
        converter.fail(message);
        client.flush();
        return Failure.STREAM_ENDED;
    }

    @Override
    public void cancelled() {
        // the converter's usage is whatever it has counted so far
    }

    @Override
    public void release() {
        KeepAlive.cancel(keepAlive);
        converter.release();
    }
}
