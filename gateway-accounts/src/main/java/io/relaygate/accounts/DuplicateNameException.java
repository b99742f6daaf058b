package io.relaygate.accounts;

import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;

/** A key or account was created (or renamed) with a name another one already has; answered as a bad request. */
public final class DuplicateNameException extends GatewayException {

    private static final long serialVersionUID = 1L;

    /**
     * @param what {@code key} or {@code account}
     * @param name the name that is taken
     */
    public DuplicateNameException(String what, String name) {
        super(ErrorKind.INVALID_REQUEST, what + " name: " + name + " already exists");
    }
}
