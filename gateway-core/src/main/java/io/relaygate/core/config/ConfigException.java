package io.relaygate.core.config;

/** A configuration value is missing, malformed or contradicts another; the message names the setting. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
