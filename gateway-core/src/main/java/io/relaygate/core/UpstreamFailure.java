package io.relaygate.core;

/**
 * Why an upstream call failed, in one place with the status the client gets and whether another account may be
 * tried. Failover applies only before the first byte reached the client.
 */
public enum UpstreamFailure {
    CONNECT_FAILED(ErrorKind.BAD_GATEWAY, true, "upstream unreachable"),
    CONNECT_TIMEOUT(ErrorKind.TIMEOUT, true, "upstream connect timed out"),
    RESPONSE_TIMEOUT(ErrorKind.TIMEOUT, false, "upstream did not answer in time"),
    IDLE_TIMEOUT(ErrorKind.TIMEOUT, false, "upstream stream stalled"),
    RESET(ErrorKind.BAD_GATEWAY, false, "upstream connection closed unexpectedly"),
    RATE_LIMITED(ErrorKind.RATE_LIMIT, true, "upstream rate limited"),
    OVERLOADED(ErrorKind.OVERLOADED, true, "upstream overloaded"),
    SERVER_ERROR(ErrorKind.BAD_GATEWAY, true, "upstream server error"),
    UNAUTHORIZED(ErrorKind.BAD_GATEWAY, true, "upstream account credentials were rejected"),
    CLIENT_ERROR(ErrorKind.INVALID_REQUEST, false, "upstream rejected the request"),
    PROTOCOL_ERROR(ErrorKind.BAD_GATEWAY, false, "upstream sent an invalid response");

    private final ErrorKind errorKind;
    private final boolean retryable;
    private final String description;

    UpstreamFailure(ErrorKind errorKind, boolean retryable, String description) {
        this.errorKind = errorKind;
        this.retryable = retryable;
        this.description = description;
    }

    /** What the client is answered with when this is the final failure. */
    public ErrorKind errorKind() {
        return errorKind;
    }

    /** Whether another account may be tried (only ever before the first byte reached the client). */
    public boolean retryable() {
        return retryable;
    }

    public String description() {
        return description;
    }

    /** Classifies an upstream HTTP error status. */
    public static UpstreamFailure forStatus(int status) {
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status == 529) {
            return OVERLOADED;
        }
        if (status == 401 || status == 403) {
            return UNAUTHORIZED;
        }
        if (status >= 500) {
            return SERVER_ERROR;
        }
        return CLIENT_ERROR;
    }
}
