package io.relaygate.accounts.state;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One key's sticky sessions on the embedded store: session hash to account, each for its ttl after its last use. At
 * most {@value #MAX} per key, the least recently used going first: a key's sessions live an hour, so without a bound
 * a client that starts a new session with every request (a script, say) would hold rate × one hour of them. The
 * caller holds the key's monitor.
 */
final class StickySessions {

    /** Far more conversations than one person runs in an hour. */
    static final int MAX = 4096;

    private record Sticky(String accountId, long expiresAtMillis) {}

    private final Map<String, Sticky> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Sticky> eldest) {
            return size() > MAX;
        }
    };

    /** The session's account, renewed for another {@code ttlMillis}, or null (an expired one is dropped). */
    @Nullable
    String use(String sessionHash, long nowMillis, long ttlMillis) {
        Sticky s = sessions.get(sessionHash);
        if (s == null) {
            return null;
        }
        if (s.expiresAtMillis <= nowMillis) {
            sessions.remove(sessionHash);
            return null;
        }
        sessions.put(sessionHash, new Sticky(s.accountId, nowMillis + ttlMillis));
        return s.accountId;
    }

    void stick(String sessionHash, String accountId, long nowMillis, long ttlMillis) {
        sessions.put(sessionHash, new Sticky(accountId, nowMillis + ttlMillis));
    }

    int size() {
        return sessions.size();
    }
}
