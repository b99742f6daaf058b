package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

/**
 * The counters of one key, account or model in one bucket.
 *
 * @param scope what {@code id} names
 * @param id key id, account id or model name
 * @param bucket the bucket, e.g. {@code 2026-11-30} (see {@link Period#bucket})
 * @param counters the sums
 */
public record UsageRow(UsageScope scope, String id, String bucket, UsageCounters counters) {

    public UsageRow {
        requireNonNull(scope, "scope");
        requireNonNull(id, "id");
        requireNonNull(bucket, "bucket");
        requireNonNull(counters, "counters");
    }
}
