package io.relaygate.server.admin;

/** The command line is wrong; the message names the argument. Exit code 2, no stack trace, so stackless. */
public final class UsageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
