package io.relaygate.accounts;

import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;

/**
 * The store could not do its job: unreachable, unreadable files, or a credential that does not decrypt under the
 * configured key. The message names what failed (an account, a file, a URL without its password), never a secret.
 */
public final class StoreException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(ErrorKind.UNAVAILABLE, message);
    }
}
