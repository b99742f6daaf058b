package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A failure the gateway answers with an error in the client's format. Stackless: these are expected on the hot path
 * (bad keys, limits, upstream faults), and a stack trace would say nothing the kind and message do not.
 */
public class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final @Nullable Long retryAfterSeconds;

    public GatewayException(ErrorKind kind, String message) {
        this(kind, message, null);
    }

    public GatewayException(ErrorKind kind, String message, @Nullable Long retryAfterSeconds) {
        super(requireNonNull(message, "message"), null, false, false);
        this.kind = requireNonNull(kind, "kind");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Seconds after which a retry may succeed ({@code retry-after}), when known. */
    public @Nullable Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
