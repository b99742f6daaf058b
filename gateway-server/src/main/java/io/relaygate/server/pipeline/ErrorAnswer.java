package io.relaygate.server.pipeline;

import io.relaygate.core.ErrorKind;
import io.relaygate.core.WireFormat;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One of the gateway's own error answers, before it is written by {@link ErrorResponder}: what went wrong
 * ({@code kind}, {@code message}) in the client's {@code format}, the request id it names, an optional
 * {@code retry-after}, extra headers (e.g. {@code x-should-retry: false}) and whether the connection closes after it
 * (because the request body was not read).
 */
public record ErrorAnswer(
        WireFormat format,
        ErrorKind kind,
        String message,
        @Nullable String requestId,
        @Nullable Long retryAfterSeconds,
        boolean close,
        Map<String, String> headers) {

    public ErrorAnswer {
        headers = Map.copyOf(headers);
    }

    /** An answer naming no request, without {@code retry-after} or extra headers, keeping the connection open. */
    public static ErrorAnswer of(WireFormat format, ErrorKind kind, String message) {
        return new ErrorAnswer(format, kind, message, null, null, false, Map.of());
    }

    /** This answer naming request {@code id} (none when null). */
    public ErrorAnswer requestId(@Nullable String id) {
        return new ErrorAnswer(format, kind, message, id, retryAfterSeconds, close, headers);
    }

    /** This answer with {@code retry-after: seconds} (none when null). */
    public ErrorAnswer retryAfter(@Nullable Long seconds) {
        return new ErrorAnswer(format, kind, message, requestId, seconds, close, headers);
    }

    /** This answer, closing the connection after it when {@code close}. */
    public ErrorAnswer closing(boolean close) {
        return new ErrorAnswer(format, kind, message, requestId, retryAfterSeconds, close, headers);
    }

    /** This answer with {@code extra} headers added. */
    public ErrorAnswer headers(Map<String, String> extra) {
        return new ErrorAnswer(format, kind, message, requestId, retryAfterSeconds, close, extra);
    }
}
