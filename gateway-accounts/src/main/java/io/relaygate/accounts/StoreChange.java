package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * An admin change as it travels between instances on one store: what kind of thing changed and which one
 * ({@code null}: every one of that kind). Receivers drop what they cached of it; the cache TTLs stay the safety net.
 *
 * @param kind what changed
 * @param id the key or account id, or {@code null} when the change is not about one (or was missed: after a
 *     reconnect the store reports {@link Kind#ALL})
 */
public record StoreChange(Kind kind, @Nullable String id) {

    /** What changed. */
    public enum Kind {
        /** A gateway key was created, disabled, rotated or edited. */
        KEY("key"),
        /** An upstream account was added or edited. */
        ACCOUNT("account"),
        /** An account went out of rotation or was resumed. */
        ACCOUNT_STATE("account-state"),
        /** The model and price catalogue was updated. */
        CATALOGUE("catalogue"),
        /** The client signatures were updated. */
        SIGNATURES("signatures"),
        /** The managed settings of signed-in clients were edited (read per request: nothing is cached). */
        SETTINGS("settings"),
        /** A signed-in session was revoked or its tokens rotated. */
        SESSION("session"),
        /** Anything may have changed: messages may have been missed. */
        ALL("all");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        static @Nullable Kind fromWireName(String name) {
            for (Kind k : values()) {
                if (k.wireName.equals(name)) {
                    return k;
                }
            }
            return null;
        }
    }

    private static final String EVERY = "*";

    public StoreChange {
        requireNonNull(kind, "kind");
        if (EVERY.equals(id)) {
            throw new IllegalArgumentException("id: * (expected: an id, or null for every one)");
        }
    }

    public static StoreChange key(String id) {
        return new StoreChange(Kind.KEY, requireNonNull(id, "id"));
    }

    public static StoreChange account(String id) {
        return new StoreChange(Kind.ACCOUNT, requireNonNull(id, "id"));
    }

    public static StoreChange session(String id) {
        return new StoreChange(Kind.SESSION, requireNonNull(id, "id"));
    }

    public static StoreChange accountState(String id) {
        return new StoreChange(Kind.ACCOUNT_STATE, requireNonNull(id, "id"));
    }

    /** The text published on the store's change channel: {@code <kind>:<id or *>}. */
    public String encode() {
        return kind.wireName + ":" + (id == null ? EVERY : id);
    }

    /**
     * Reads what {@link #encode()} wrote. A message this version does not know (a newer instance on the same store)
     * is read as {@link Kind#ALL}: dropping every cache is always safe.
     */
    public static StoreChange decode(String message) {
        int colon = message.indexOf(':');
        Kind kind = colon < 0 ? null : Kind.fromWireName(message.substring(0, colon));
        if (kind == null) {
            return new StoreChange(Kind.ALL, null);
        }
        String id = message.substring(colon + 1);
        return new StoreChange(kind, id.isEmpty() || EVERY.equals(id) ? null : id);
    }
}
