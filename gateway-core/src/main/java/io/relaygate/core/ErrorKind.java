package io.relaygate.core;

/**
 * The closed vocabulary of errors the gateway itself answers with: HTTP status plus the error type names of the
 * Anthropic and OpenAI formats. Anthropic's types follow https://docs.anthropic.com/en/api/errors; timeouts use
 * {@code timeout_error} with 504 as Anthropic does for gateway timeouts.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request_error"),
    AUTHENTICATION(401, "authentication_error", "invalid_api_key"),
    PERMISSION(403, "permission_error", "permission_denied"),
    NOT_FOUND(404, "not_found_error", "not_found"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "invalid_request_error"),
    /** The client took longer than the server's deadline to send its request head or body (slowloris). */
    REQUEST_TIMEOUT(408, "timeout_error", "timeout"),
    REQUEST_TOO_LARGE(413, "request_too_large", "invalid_request_error"),
    RATE_LIMIT(429, "rate_limit_error", "rate_limit_exceeded"),
    /**
     * A spend cap of the caller's own is reached (Claude Code's gateway protocol: {@code 429 billing_error}, the user's
     * cap on the gateway). After {@link #RATE_LIMIT}, so {@link #forStatus}(429) stays a rate limit.
     */
    BILLING(429, "billing_error", "insufficient_quota"),
    API_ERROR(500, "api_error", "server_error"),
    BAD_GATEWAY(502, "api_error", "server_error"),
    UNAVAILABLE(503, "api_error", "server_error"),
    TIMEOUT(504, "timeout_error", "timeout"),
    OVERLOADED(529, "overloaded_error", "server_error");

    private final int status;
    private final String anthropicType;
    private final String openAiType;

    ErrorKind(int status, String anthropicType, String openAiType) {
        this.status = status;
        this.anthropicType = anthropicType;
        this.openAiType = openAiType;
    }

    public int status() {
        return status;
    }

    public String anthropicType() {
        return anthropicType;
    }

    public String openAiType() {
        return openAiType;
    }

    /** The kind whose status is {@code status}, for relaying an upstream error status; unknown 4xx/5xx fall back. */
    public static ErrorKind forStatus(int status) {
        for (ErrorKind k : values()) {
            if (k.status == status && k != METHOD_NOT_ALLOWED) {
                return k;
            }
        }
        return status >= 500 ? API_ERROR : INVALID_REQUEST;
    }
}
