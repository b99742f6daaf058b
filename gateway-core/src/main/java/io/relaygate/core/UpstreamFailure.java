package io.relaygate.core;

/**
 * Why an upstream call failed, in one place with the status the client gets and whether another account may be
 * tried. Failover applies only before the first byte reached the client.
 */
public enum UpstreamFailure {
    CONNECT_FAILED(ErrorKind.BAD_GATEWAY, true, "upstream unreachable", CoolDown.UNREACHABLE),
    CONNECT_TIMEOUT(ErrorKind.TIMEOUT, true, "upstream connect timed out", CoolDown.UNREACHABLE),
    RESPONSE_TIMEOUT(ErrorKind.TIMEOUT, false, "upstream did not answer in time", CoolDown.NONE),
    IDLE_TIMEOUT(ErrorKind.TIMEOUT, false, "upstream stream stalled", CoolDown.NONE),
    /**
     * The connection closed or was reset. Before the response head (and so before the first byte reached the client)
     * another account is tried, like a 5xx from a proxy in front of the upstream (issue 18); after it, retrying is never
     * an option anyway.
     */
    RESET(ErrorKind.BAD_GATEWAY, true, "upstream connection closed unexpectedly", CoolDown.NONE),
    RATE_LIMITED(ErrorKind.RATE_LIMIT, true, "upstream rate limited", CoolDown.RATE_LIMITED),
    OVERLOADED(ErrorKind.OVERLOADED, true, "upstream overloaded", CoolDown.OVERLOADED),
    SERVER_ERROR(ErrorKind.BAD_GATEWAY, true, "upstream server error", CoolDown.NONE),
    UNAUTHORIZED(ErrorKind.BAD_GATEWAY, true, "upstream account credentials were rejected", CoolDown.UNAUTHORIZED),
    CLIENT_ERROR(ErrorKind.INVALID_REQUEST, false, "upstream rejected the request", CoolDown.NONE),
    PROTOCOL_ERROR(ErrorKind.BAD_GATEWAY, false, "upstream sent an invalid response", CoolDown.NONE),
    /**
     * The upstream ended its stream without error (a close-delimited body's close, the last chunk) before the stream's
     * final event ({@code message_stop}, {@code response.completed}, {@code [DONE]}): the answer is incomplete.
     */
    TRUNCATED(ErrorKind.BAD_GATEWAY, false, "upstream stream ended before its final event", CoolDown.NONE),
    /**
     * The gateway itself could not start the call (its event loop is shutting down, a task was refused): nothing is
     * known about the account, so nothing is recorded against it and no other account is tried.
     */
    GATEWAY_STOPPING(ErrorKind.UNAVAILABLE, false, "gateway is shutting down", CoolDown.NONE),
    /**
     * The gateway itself failed while making the call (out of heap or direct memory, an error of its own code): the
     * account did nothing wrong, so nothing is recorded against it and no other account is tried (it would fail the
     * same way).
     */
    GATEWAY_FAULT(ErrorKind.UNAVAILABLE, false, "gateway could not make the upstream call", CoolDown.NONE);

    /**
     * What a failure says about the account, for the scheduler's cool-downs (how long each lasts is scheduling
     * configuration). Failures of a single request (timeouts, resets, 5xx, 4xx) say nothing about the account.
     */
    public enum CoolDown {
        /** The account stays in rotation. */
        NONE,
        /** 429: out until the reset the upstream announced, else for the configured rate-limit cool-down. */
        RATE_LIMITED,
        /** 529: out for the configured overload cool-down. */
        OVERLOADED,
        /** 401/403: out until an operator resumes it (a subscription token is refreshed once before). */
        UNAUTHORIZED,
        /** The upstream or the account's proxy could not be reached: out for the overload cool-down. */
        UNREACHABLE
    }

    private final ErrorKind errorKind;
    private final boolean retryable;
    private final String description;
    private final CoolDown coolDown;

    UpstreamFailure(ErrorKind errorKind, boolean retryable, String description, CoolDown coolDown) {
        this.errorKind = errorKind;
        this.retryable = retryable;
        this.description = description;
        this.coolDown = coolDown;
    }

    /** What this failure does to the account's place in rotation. */
    public CoolDown coolDown() {
        return coolDown;
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
