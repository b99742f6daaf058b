package io.relaygate.accounts.state;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** {@code state|since ms|until ms (-1: none)|reason}: how Redis and the data folder hold an {@link AccountCondition}. */
public final class ConditionCodec {

    private ConditionCodec() {}

    public static String encode(AccountCondition c) {
        Instant until = c.until();
        return c.state().wireName() + "|" + c.since().toEpochMilli() + "|" + (until == null ? -1 : until.toEpochMilli())
                + "|" + c.reason();
    }

    /** Null for a value this version cannot read (it is then ignored, never fatal). */
    public static @Nullable AccountCondition decode(String v) {
        String[] parts = v.split("\\|", 4);
        if (parts.length != 4) {
            return null;
        }
        try {
            long until = Long.parseLong(parts[2]);
            return new AccountCondition(
                    AccountCondition.State.fromWireName(parts[0]),
                    parts[3],
                    Instant.ofEpochMilli(Long.parseLong(parts[1])),
                    until < 0 ? null : Instant.ofEpochMilli(until));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
