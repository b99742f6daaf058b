package io.relaygate.accounts.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The embedded store's usage reads over its counters (by {@link LocalSharedState#usageKey}): every id of a scope in
 * one bucket (a scan of the map), or one id in a list of buckets (a lookup per bucket, nothing scanned).
 */
final class LocalUsageReads {

    private LocalUsageReads() {}

    /** Every id's counters of {@code scope} in the {@code period} bucket holding {@code at}, ids in order. */
    static List<UsageRow> rows(Map<String, AtomicLongArray> usage, UsageScope scope, Period period, Instant at) {
        String bucket = period.bucket(at);
        TreeMap<String, UsageCounters> rows = new TreeMap<>();
        String head = scope.tag + "|";
        String tail = "|" + period.name() + "|" + bucket;
        usage.forEach((k, v) -> {
            if (k.startsWith(head) && k.endsWith(tail)) {
                rows.put(k.substring(head.length(), k.length() - tail.length()), counters(v));
            }
        });
        List<UsageRow> out = new ArrayList<>(rows.size());
        rows.forEach((id, c) -> out.add(new UsageRow(scope, id, bucket, c)));
        return out;
    }

    /** {@code id}'s counters in the {@code period} bucket holding each of {@code ats}, in order. */
    static List<UsageCounters> of(
            Map<String, AtomicLongArray> usage, UsageScope scope, String id, Period period, List<Instant> ats) {
        List<UsageCounters> out = new ArrayList<>(ats.size());
        for (Instant at : ats) {
            AtomicLongArray v = usage.get(LocalSharedState.usageKey(scope, id, period, period.bucket(at)));
            out.add(v == null ? UsageCounters.ZERO : counters(v));
        }
        return out;
    }

    static UsageCounters counters(AtomicLongArray v) {
        long[] a = new long[v.length()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return UsageCounters.fromValues(a);
    }
}
