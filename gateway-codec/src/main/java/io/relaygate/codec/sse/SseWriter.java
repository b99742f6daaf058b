package io.relaygate.codec.sse;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.core.WireFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one place SSE text is formatted (WHATWG HTML, "Server-sent events", section 9.2.4): an event is an optional
 * {@code event: <name>} line, one {@code data: <line>} line per line of its data, and a blank line. Every transcoder,
 * the gateway's own error events and keep-alives, and the mock upstream write through it, so the framing the tests
 * compare byte for byte is decided here once.
 *
 * <p>Events are written whole: a reader (the client, or {@link SseEventParser} in a test) never sees half of one
 * from a single call. Stateless; the arrays and buffers it returns belong to the caller.
 */
public final class SseWriter {

    /**
     * Anthropic's own keep-alive event, sent in silent Messages streams (the Messages API streaming docs list
     * {@code ping} among the event types). Its data keeps the space after the colon the gateway always sent.
     */
    public static final SseEvent ANTHROPIC_PING = new SseEvent("ping", "{\"type\": \"ping\"}");

    /** The comment text of {@link #keepAlive()}. */
    public static final String KEEP_ALIVE_COMMENT = "keep-alive";

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_AFTER_NAME = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = comment(KEEP_ALIVE_COMMENT);
    private static final byte[] PING = bytes(ANTHROPIC_PING);

    private SseWriter() {}

    /** {@code event} as SSE bytes. */
    public static byte[] bytes(SseEvent event) {
        return bytes(event.name(), event.data());
    }

    /** The event {@code name} ({@code ""} for none) with {@code data}, as SSE bytes. */
    public static byte[] bytes(String name, String data) {
        return text(name, data).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code event} as SSE text. */
    public static String text(SseEvent event) {
        return text(event.name(), event.data());
    }

    /** The event {@code name} ({@code ""} for none) with {@code data}, as SSE text. */
    public static String text(String name, String data) {
        requireNonNull(name, "name");
        requireNonNull(data, "data");
        StringBuilder sb = new StringBuilder(name.length() + data.length() + 16);
        if (!name.isEmpty()) {
            sb.append("event: ").append(name).append('\n');
        }
        int start = 0;
        int nl;
        // Each line of the data is its own data: line; the JSON the gateway writes is compact, so this is one line.
        while ((nl = data.indexOf('\n', start)) >= 0) {
            sb.append("data: ").append(data, start, nl).append('\n');
            start = nl + 1;
        }
        return sb.append("data: ")
                .append(data, start, data.length())
                .append("\n\n")
                .toString();
    }

    /** {@code event} as a new unpooled buffer (heap), which the caller owns. */
    public static ByteBuf buffer(SseEvent event) {
        return Unpooled.wrappedBuffer(bytes(event));
    }

    /**
     * Starts an event in {@code out}: its name line (unless {@code name} is empty) and the {@code data: } prefix. The
     * caller then writes one line of data (compact JSON, say, straight from a generator) and {@link #end}.
     */
    public static void begin(ByteArrayOutputStream out, String name) {
        if (name.isEmpty()) {
            out.writeBytes(DATA);
        } else {
            out.writeBytes(EVENT);
            out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(DATA_AFTER_NAME);
        }
    }

    /** Ends the event {@link #begin} started. */
    public static void end(ByteArrayOutputStream out) {
        out.writeBytes(END);
    }

    /** A comment line ({@code : <text>}) and the blank line ending it; clients ignore it, proxies see traffic. */
    public static byte[] comment(String text) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("text: " + text + " (expected: no line break)");
        }
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The keep-alive comment for OpenAI streams ({@code : keep-alive}), as a new array. */
    public static byte[] keepAlive() {
        return KEEP_ALIVE.clone();
    }

    /** {@link #ANTHROPIC_PING} as SSE bytes, a new array. */
    public static byte[] anthropicPing() {
        return PING.clone();
    }

    /**
     * The keep-alive for a stream to a {@code client} of that format: the {@code ping} event for Anthropic clients
     * (their SDKs know it), the comment for OpenAI ones (which have no such event). A new unpooled buffer the caller
     * owns.
     */
    public static ByteBuf keepAliveBuffer(WireFormat client) {
        return Unpooled.wrappedBuffer(client == WireFormat.ANTHROPIC ? anthropicPing() : keepAlive());
    }
}
