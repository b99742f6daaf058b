package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One record of a usage batch ({@link SharedState#recordAll}).
 *
 * @param record the (summed) record
 * @param id its journalled write, applied at most once; null: not deduplicated
 */
public record UsageWrite(UsageRecord record, @Nullable WriteId id) {

    public UsageWrite {
        requireNonNull(record, "record");
    }
}
