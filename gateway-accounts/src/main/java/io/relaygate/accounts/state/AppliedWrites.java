package io.relaygate.accounts.state;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One usage-journal writer's writes that the embedded shared state has applied: every sequence number below
 * {@code low}, and those in {@code seqs}. A replayed write that was applied before is recognised and skipped.
 */
final class AppliedWrites {

    long low;
    final TreeSet<Long> seqs = new TreeSet<>();

    /** Whether {@code id} was applied before; if not, it counts as applied now. */
    synchronized boolean seen(WriteId id) {
        if (id.low() > low) {
            low = id.low();
            seqs.headSet(low).clear();
        }
        return id.seq() < low || !seqs.add(id.seq());
    }

    synchronized List<Long> encode() {
        List<Long> out = new ArrayList<>(seqs.size() + 1);
        out.add(low);
        out.addAll(seqs);
        return out;
    }
}
