package io.relaygate.accounts.state;

import io.netty.util.concurrent.EventExecutor;
import java.util.HashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one event loop knows of its keys' standing against their limits, so that a key far from every limit is admitted
 * on the loop at once, without waiting for Redis (issue 21: the Redis arm's one round trip a request). The admission
 * still goes to Redis, parked on the loop like a spend ({@link RedisGroupCommit}): it takes its lease, counts in its
 * request window and renews its sticky session there, up to the spend bound later; its answer tells the loop the key's
 * standing again.
 *
 * <p>A key is admitted here when all of these hold, else Redis decides as before:
 *
 * <ul>
 *   <li>the loop's last answer for the key admitted a request, at most {@code fresh} ago by the request's clock, in
 *       the same request window, token window and day;
 *   <li>every limit of the key, counted as that answer read it plus what this loop has admitted and spent since, stays
 *       below its last eighth ({@link #MARGIN}): the last eighth of a limit is always checked by Redis itself;
 *   <li>request and concurrency limits are at least {@link #MIN_COUNT_LIMIT} (smaller ones are always exact);
 *   <li>the request has no session, or the instance already knows the session's sticky account.
 * </ul>
 *
 * <p>What this changes, against Redis deciding every request: a limit reached through other loops or instances in the
 * last {@code fresh} is seen here that much later, and only while this loop's view of the key is below seven eighths
 * of it. Refusals are still Redis's alone. A lease given back on the loop goes after its admission, in order; one given
 * back from another thread (the usage recorder's backlog after an outage) may reach Redis first, and that lease then
 * stays until it expires (the lease ttl), as a crashed instance's would.
 *
 * <p>Confined to its loop: every method runs on it ({@link #loop()}). Bounded: past {@link #MAX_KEYS} keys the view
 * starts again empty, as {@link RedisKeyNames} does.
 */
final class RedisLoopStandings {

    /** A limit's last {@code 1 / MARGIN} is always checked by Redis. */
    static final int MARGIN = 8;

    /** Request and concurrency limits below this are always checked by Redis. */
    static final long MIN_COUNT_LIMIT = 64;

    /** Keys a loop keeps a view of. */
    static final int MAX_KEYS = 10_000;

    private final EventExecutor loop;
    private final long freshMillis;
    private final HashMap<String, Standing> byKey = new HashMap<>();
    /** Written on the loop only; read by metrics and tests elsewhere. */
    private volatile long admittedHere;

    private volatile long refusedLate;

    RedisLoopStandings(EventExecutor loop, long freshMillis) {
        this.loop = loop;
        this.freshMillis = freshMillis;
    }

    EventExecutor loop() {
        return loop;
    }

    /**
     * One key as this loop knows it. What the loop did itself is kept as running sums (requests and leases it admitted,
     * leases it gave back, cost and tokens it spent); an answer records the sums it already held, so what came after it
     * is the difference.
     */
    static final class Standing {
        private long requests;
        private long leases;
        private long cost;
        private long tokens;
        /** Admissions sent for this key, and the last one whose answer was taken (answers come in order). */
        private long issued;

        private long answered;
        private boolean usable;
        private long readAt;
        private long reqStart;
        private long tokStart;
        private String dayEnd = "";
        /** The last answer's values (-1: no such limit), and the running sums it held. */
        private long day;

        private long week;
        private long total;
        private long tokenValue;
        private long requestValue;
        private long leaseValue;
        private long baseRequests;
        private long baseLeases;
        private long baseCost;
        private long baseTokens;
    }

    /** An admission sent to Redis for a key: which one it is, where it stood, and the loop's sums it held. */
    record Ticket(
            Standing standing,
            long seq,
            long now,
            long reqStart,
            long tokStart,
            String dayEnd,
            long requests,
            long leases,
            long cost,
            long tokens) {}

    private Standing standing(String keyId) {
        Standing s = byKey.get(keyId);
        if (s == null) {
            if (byKey.size() >= MAX_KEYS) {
                byKey.clear();
            }
            s = new Standing();
            byKey.put(keyId, s);
        }
        return s;
    }

    private static Ticket ticket(Standing s, long now, long reqStart, long tokStart, String dayEnd) {
        return new Ticket(s, ++s.issued, now, reqStart, tokStart, dayEnd, s.requests, s.leases, s.cost, s.tokens);
    }

    /** An admission Redis decides (the caller waits for it); its answer is given to {@link #answer}. */
    Ticket waited(String keyId, long now, long reqStart, long tokStart, String dayEnd) {
        return ticket(standing(keyId), now, reqStart, tokStart, dayEnd);
    }

    /**
     * Admits the request here when its key stands far enough from its limits, counting it against them; the ticket of
     * its admission, which the caller parks for Redis, or null when Redis must decide.
     *
     * @param leases whether the request takes a concurrency lease (the key limits concurrency)
     */
    @Nullable
    Ticket admitHere(
            AdmissionRequest r, RedisKeyNames.Limits l, long reqStart, long tokStart, String dayEnd, boolean leases) {
        if (r.sessionHash() != null && r.knownSticky() == null) {
            return null;
        }
        Standing s = byKey.get(r.keyId());
        long now = r.now().toEpochMilli();
        if (s == null
                || !s.usable
                || now - s.readAt > freshMillis
                || now < s.readAt
                || s.reqStart != reqStart
                || s.tokStart != tokStart
                || !s.dayEnd.equals(dayEnd)) {
            return null;
        }
        long cost = s.cost - s.baseCost;
        if (!far(l.requests(), s.requestValue, s.requests - s.baseRequests + 1, true)
                || !far(l.concurrency(), s.leaseValue, s.leases - s.baseLeases + 1, true)
                || !far(l.tokens(), s.tokenValue, s.tokens - s.baseTokens, false)
                || !far(l.dayCost(), s.day, cost, false)
                || !far(l.weekCost(), s.week, cost, false)
                || !far(l.totalCost(), s.total, cost, false)) {
            return null;
        }
        s.requests++;
        if (leases) {
            s.leases++;
        }
        admittedHere++;
        return ticket(s, now, reqStart, tokStart, dayEnd);
    }

    /** Whether {@code value + added} stays below the last eighth of {@code max}; true when there is no such limit. */
    private static boolean far(long max, long value, long added, boolean count) {
        if (max < 0) {
            return true;
        }
        if (value < 0 || (count && max < MIN_COUNT_LIMIT)) {
            return false;
        }
        return value + added <= max - max / MARGIN;
    }

    /** What the key had spent against its cost limits as this loop counts it: the last answer plus its own spends. */
    CostSpend spend(Ticket t) {
        Standing s = t.standing;
        long cost = s.cost - s.baseCost;
        return new CostSpend(plus(s.day, cost), plus(s.week, cost), plus(s.total, cost));
    }

    private static long plus(long value, long added) {
        return value < 0 ? value : value + added;
    }

    /**
     * Takes admit.lua's answer to {@code t} (or its failure, {@code reply} null): an admission tells the key's standing
     * as of that call; a refusal or a failure leaves the key to Redis until an admission is answered again.
     *
     * @param here whether the request was already admitted on this loop (a refusal then comes too late to stop it)
     */
    void answer(Ticket t, @Nullable List<Object> reply, boolean here) {
        Standing s = t.standing;
        if (t.seq <= s.answered) {
            return; // an earlier admission's answer after a later one's (a script reloaded after NOSCRIPT)
        }
        s.answered = t.seq;
        boolean admitted = reply != null && reply.size() >= 11 && number(reply.get(0)) == 1;
        if (!admitted) {
            s.usable = false;
            if (here && reply != null) {
                refusedLate++;
            }
            return;
        }
        s.usable = true;
        s.readAt = t.now;
        s.reqStart = t.reqStart;
        s.tokStart = t.tokStart;
        s.dayEnd = t.dayEnd;
        s.day = number(reply.get(5));
        s.week = number(reply.get(6));
        s.total = number(reply.get(7));
        s.tokenValue = number(reply.get(8));
        s.requestValue = number(reply.get(9));
        s.leaseValue = number(reply.get(10));
        s.baseRequests = t.requests;
        s.baseLeases = t.leases;
        s.baseCost = t.cost;
        s.baseTokens = t.tokens;
    }

    /** Counts a spend or a lease given back that this loop sends for a key it knows, until an answer holds it. */
    void spent(String keyId, long cost, long tokens, boolean lease) {
        Standing s = byKey.get(keyId);
        if (s != null) {
            s.cost += cost;
            s.tokens += tokens;
            if (lease) {
                s.leases--;
            }
        }
    }

    /** Requests admitted on this loop without waiting, since it started. */
    long admittedHere() {
        return admittedHere;
    }

    /** Of those, the ones Redis refused when their admission reached it (other instances took the key's last part). */
    long refusedLate() {
        return refusedLate;
    }

    /** A number of admit.lua's answer: an integer, or its text (Lua's {@code tostring}, which may use an exponent). */
    static long number(@Nullable Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        String text = o == null ? "" : o.toString();
        if (text.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(text);
        }
    }
}
