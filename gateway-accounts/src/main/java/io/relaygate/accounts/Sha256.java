package io.relaygate.accounts;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * A SHA-256 digest per thread, for hashes taken on every request (a key's fingerprint, the session hash):
 * {@code MessageDigest.getInstance} looks the provider up and allocates on every call, a reset digest does neither.
 */
final class Sha256 {

    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {}

    /** This thread's digest, reset (every {@code digest()} resets it); not to be handed to another thread. */
    static MessageDigest digest() {
        return DIGESTS.get();
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            // every Java platform is required to provide SHA-256 (MessageDigest Javadoc)
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
