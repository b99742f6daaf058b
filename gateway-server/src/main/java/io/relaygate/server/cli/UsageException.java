package io.relaygate.server.cli;

/** The command line is wrong; the message names the argument. Exit code 2, no stack trace, so stackless. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
