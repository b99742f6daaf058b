package io.relaygate.codec.sse;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Incremental Server-Sent Events parser following the WHATWG HTML "event stream interpretation" rules: lines end with
 * CRLF, LF or CR (a CR at the end of one chunk and an LF at the start of the next are one line end); lines starting
 * with {@code ':'} are comments; {@code field:value} drops one space after the colon; {@code data} lines are joined
 * with {@code '\n'}; a blank line dispatches; an event without data lines is dropped; a leading UTF-8 BOM is skipped.
 * Unlike the browser algorithm the event name stays {@code ""} when absent (callers tell "no name" from
 * {@code message}), and {@link #finish()} dispatches a last event that lacks its blank line.
 *
 * <p>The relay forwards upstream chunks to the client untouched and taps them here, so {@link #feed(ByteBuf)} only
 * reads: the caller keeps ownership of the buffer. Name and data are copied into two reused arrays bounded by
 * {@code maxEventBytes}; after a {@link SseFrameTooLongException} the parser ignores the rest of the stream, so a
 * relay that catches it can keep forwarding without further cost. Not thread-safe: one parser per stream, fed on its
 * event loop.
 */
public final class SseEventParser {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    /** Longest field name we act on ({@code event}, {@code retry}); longer names are unknown and ignored. */
    private static final int FIELD_NAME_MAX = 5;

    private static final int INITIAL_DATA_BYTES = 512;
    private static final int INITIAL_NAME_BYTES = 32;

    private enum State {
        /** At the very start of the stream, matching a possible UTF-8 byte order mark. */
        BOM,
        /** Reading a field name; at a line start when {@code fieldLength == 0}. */
        FIELD,
        /** Just after the colon, where one space is dropped. */
        SPACE,
        /** Copying a field value up to the line end. */
        VALUE,
        /** Skipping a comment line. */
        COMMENT,
        /** A line ended with CR; an LF right after it belongs to the same line end. */
        AFTER_CR,
        /** An event exceeded the limit; everything after it is ignored. */
        FAILED,
        /** {@link #finish()} was called. */
        FINISHED
    }

    /** Where the bytes of the current field value go. */
    private enum Target {
        DATA,
        EVENT,
        IGNORE
    }

    private final int maxEventBytes;
    private final SseListener listener;
    private final EventNames names = new EventNames();
    private final byte[] fieldName = new byte[FIELD_NAME_MAX];

    private State state = State.BOM;
    private Target target = Target.IGNORE;
    private int bomMatched;
    private int fieldLength;
    private byte[] data;
    private int dataLength;
    private int dataLines;
    private byte[] eventName;
    private int eventNameLength;

    public SseEventParser(int maxEventBytes, SseListener listener) {
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: > 0)");
        }
        this.maxEventBytes = maxEventBytes;
        this.listener = requireNonNull(listener, "listener");
        this.data = new byte[Math.min(maxEventBytes, INITIAL_DATA_BYTES)];
        this.eventName = new byte[Math.min(maxEventBytes, INITIAL_NAME_BYTES)];
    }

    /**
     * Parses the readable bytes of {@code buf} without changing its reader/writer index or reference count: the
     * caller keeps ownership (the relay forwards the same buffer to the client untouched). Events completed by these
     * bytes are dispatched before this returns.
     *
     * @throws SseFrameTooLongException when one event's name plus data exceeds {@code maxEventBytes}
     * @throws IllegalStateException after {@link #finish()}
     */
    public void feed(ByteBuf buf) {
        requireNonNull(buf, "buf");
        if (state == State.FINISHED) {
            throw new IllegalStateException("feed after finish()");
        }
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case VALUE -> i = value(buf, i, end);
                case COMMENT -> i = comment(buf, i, end);
                case FIELD -> field(buf.getByte(i++));
                case SPACE -> {
                    // The byte after the colon is dropped only when it is a space; anything else is value (or a
                    // line end, which the VALUE branch handles).
                    state = State.VALUE;
                    if (buf.getByte(i) == ' ') {
                        i++;
                    }
                }
                case AFTER_CR -> {
                    state = State.FIELD;
                    if (buf.getByte(i) == LF) {
                        i++;
                    }
                }
                case BOM -> {
                    if (bom(buf.getByte(i))) {
                        i++;
                    }
                }
                case FAILED -> i = end;
                case FINISHED -> throw new IllegalStateException("feed after finish()");
            }
        }
    }

    /**
     * End of stream: a pending line counts as terminated and a final event that lacks its blank line is dispatched
     * if it has data. Further calls do nothing; {@link #feed(ByteBuf)} afterwards is an error.
     */
    public void finish() {
        switch (state) {
            case FIELD, SPACE, VALUE -> endLine(LF);
            case FAILED, FINISHED -> {
                state = State.FINISHED;
                return;
            }
            default -> {
                // BOM, COMMENT, AFTER_CR: no field is pending.
            }
        }
        dispatch();
        state = State.FINISHED;
    }

    /** Returns whether {@code b} was consumed as part of the BOM; otherwise the bytes matched so far are replayed. */
    private boolean bom(byte b) {
        if (b == BOM[bomMatched]) {
            if (++bomMatched == BOM.length) {
                state = State.FIELD;
            }
            return true;
        }
        state = State.FIELD;
        for (int k = 0; k < bomMatched; k++) {
            field(BOM[k]);
        }
        return false;
    }

    private void field(byte b) {
        if (b == CR || b == LF) {
            endLine(b);
        } else if (b == ':') {
            if (fieldLength == 0) {
                state = State.COMMENT;
            } else {
                beginValue();
                state = State.SPACE;
            }
        } else if (fieldLength <= FIELD_NAME_MAX) {
            // Saturates one past the longest known name, which marks the field as unknown.
            if (fieldLength < FIELD_NAME_MAX) {
                fieldName[fieldLength] = b;
            }
            fieldLength++;
        }
    }

    private int value(ByteBuf buf, int from, int end) {
        int eol = buf.forEachByte(from, end - from, ByteProcessor.FIND_CRLF);
        int stop = eol < 0 ? end : eol;
        if (stop > from) {
            append(buf, from, stop - from);
        }
        if (eol < 0) {
            return end;
        }
        endLine(buf.getByte(eol));
        return eol + 1;
    }

    private int comment(ByteBuf buf, int from, int end) {
        int eol = buf.forEachByte(from, end - from, ByteProcessor.FIND_CRLF);
        if (eol < 0) {
            return end;
        }
        endLine(buf.getByte(eol));
        return eol + 1;
    }

    /** The field name is complete: pick where its value goes and apply what the field means before any value byte. */
    private void beginValue() {
        target = targetOf();
        if (target == Target.DATA) {
            if (dataLines > 0) {
                ensureRoom(1);
                data[dataLength++] = LF;
            }
            dataLines++;
        } else if (target == Target.EVENT) {
            // event: replaces, it does not append.
            eventNameLength = 0;
        }
    }

    private Target targetOf() {
        if (fieldLength == 4 && is("data")) {
            return Target.DATA;
        }
        if (fieldLength == 5 && is("event")) {
            return Target.EVENT;
        }
        // id and retry are valid fields but carry nothing the gateway uses; unknown fields are ignored by the spec.
        return Target.IGNORE;
    }

    private boolean is(String name) {
        for (int k = 0; k < fieldLength; k++) {
            if (fieldName[k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void endLine(byte lineEnd) {
        if (state == State.FIELD) {
            if (fieldLength == 0) {
                dispatch();
            } else {
                // A line with no colon is a field with an empty value ("data" alone adds an empty data line).
                beginValue();
            }
        }
        target = Target.IGNORE;
        fieldLength = 0;
        state = lineEnd == CR ? State.AFTER_CR : State.FIELD;
    }

    private void append(ByteBuf buf, int from, int length) {
        switch (target) {
            case DATA -> {
                ensureRoom(length);
                buf.getBytes(from, data, dataLength, length);
                dataLength += length;
            }
            case EVENT -> {
                ensureRoom(length);
                if (eventNameLength + length > eventName.length) {
                    eventName = Arrays.copyOf(eventName, grow(eventName.length, eventNameLength + length));
                }
                buf.getBytes(from, eventName, eventNameLength, length);
                eventNameLength += length;
            }
            case IGNORE -> {
                // id, retry and unknown fields.
            }
        }
    }

    /** Checks the event limit for {@code more} bytes and grows the data array if they are data. */
    private void ensureRoom(int more) {
        long needed = (long) dataLength + eventNameLength + more;
        if (needed > maxEventBytes) {
            state = State.FAILED;
            dataLength = 0;
            dataLines = 0;
            eventNameLength = 0;
            throw new SseFrameTooLongException(maxEventBytes);
        }
        if (target == Target.DATA && dataLength + more > data.length) {
            data = Arrays.copyOf(data, grow(data.length, dataLength + more));
        }
    }

    private int grow(int current, int needed) {
        return (int) Math.min(maxEventBytes, Math.max((long) needed, current * 2L));
    }

    private void dispatch() {
        if (dataLines == 0) {
            eventNameLength = 0;
            return;
        }
        String name = names.lookup(eventName, eventNameLength);
        int length = dataLength;
        // Reset before the call so a listener that throws leaves the parser at a clean event boundary.
        dataLength = 0;
        dataLines = 0;
        eventNameLength = 0;
        listener.onEvent(name, data, 0, length);
    }
}
