package io.relaygate.accounts;

/**
 * Told of every command the store sends to its backend (Redis), for metrics, on the backend's I/O threads: keep it
 * quick, never block. An interface here so that the accounts module needs no metrics library; the server implements
 * it. The embedded store sends no commands and never calls it.
 */
public interface CommandObserver {

    /** {@code command} (its type, e.g. {@code EVALSHA}) was answered after {@code nanos}. */
    void succeeded(String command, long nanos);

    /** {@code command} failed: an error answer, a timeout, or no connection. */
    void failed(String command);
}
