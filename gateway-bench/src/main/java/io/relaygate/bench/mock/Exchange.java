package io.relaygate.bench.mock;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

/** The mutable record of one exchange, written on the mock's event loop and snapshotted by tests. */
final class Exchange {

    private final String method;
    private final String uri;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;
    private final boolean keepResponse;
    private final ByteArrayOutputStream response = new ByteArrayOutputStream();
    private String scenario = "";
    private int status;
    private long responseLength;
    private boolean completed;
    private boolean cancelled;
    private final DeclaredUsage declared = new DeclaredUsage();
    private String protocol = MockProtocols.HTTP_1_1;
    private String connection = "";

    /** The exchange {@code req} opens on {@code channel}; {@code record}: keep its headers and response. */
    static Exchange of(
            io.netty.handler.codec.http.FullHttpRequest req, io.netty.channel.Channel channel, boolean record) {
        byte[] body = new byte[req.content().readableBytes()];
        req.content().getBytes(req.content().readerIndex(), body);
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        if (record) {
            for (Map.Entry<String, String> h : req.headers()) {
                headers.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        Exchange ex = new Exchange(
                req.method().name(),
                req.headers().get(CloudMockHandler.ORIGINAL_URI, req.uri()),
                headers,
                body,
                record);
        ex.via(MockProtocols.protocolOf(channel), MockProtocols.connectionId(channel));
        return ex;
    }

    /** The request body as received (not a copy: read it, don't change it). */
    byte[] body() {
        return body;
    }

    /** {@code keepResponse} false: only the response length is counted (the mock records nothing, benchmarks). */
    Exchange(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body, boolean keepResponse) {
        this.keepResponse = keepResponse;
        this.method = method;
        this.uri = uri;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    synchronized void scenario(String value) {
        scenario = value;
    }

    /** The protocol the exchange came over and the id of its TCP connection. */
    synchronized void via(String protocolName, String connectionId) {
        protocol = protocolName;
        connection = connectionId;
    }

    synchronized void status(int value) {
        status = value;
    }

    /** Records the readable bytes of {@code content} without consuming them. */
    void wrote(ByteBuf content) {
        wrote(content, content.readerIndex(), content.readableBytes());
    }

    /** Records {@code length} bytes of {@code content} from {@code index} on, without consuming them. */
    synchronized void wrote(ByteBuf content, int index, int length) {
        if (keepResponse && response.size() + (long) length <= MockUpstream.MAX_RECORDED_BYTES) {
            byte[] copy = new byte[length];
            content.getBytes(index, copy);
            response.writeBytes(copy);
        }
        responseLength += length;
    }

    /** Reads the usage {@code text} declares (see {@link DeclaredUsage}); returns the raise in input and output. */
    synchronized long[] declare(String text) {
        return declared.declare(text);
    }

    synchronized void complete() {
        completed = true;
    }

    /** Marks the exchange cancelled if it had not completed; returns whether it did. */
    synchronized boolean cancelIfOpen() {
        if (completed || cancelled) {
            return false;
        }
        cancelled = true;
        return true;
    }

    synchronized boolean finished() {
        return completed || cancelled;
    }

    synchronized RecordedExchange snapshot() {
        return new RecordedExchange(
                method,
                uri,
                headers,
                body.clone(),
                scenario,
                status,
                response.toByteArray(),
                responseLength,
                completed,
                cancelled,
                protocol,
                connection);
    }
}
