package io.relaygate.server.admin;

/**
 * The caller's input is wrong (a command-line argument, an admin API field); the message names it. The CLI exits with
 * code 2 and the admin API answers 400, neither with a stack trace, so the exception is stackless.
 */
public final class UsageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
