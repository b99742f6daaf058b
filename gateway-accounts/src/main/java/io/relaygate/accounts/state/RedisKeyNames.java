package io.relaygate.accounts.state;

import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The Redis key names and script arguments {@code admit.lua} and {@code spend.lua} take for one API key, built once
 * and reused while they stay the same: the key's tag and lease key for ever, a window counter's name while the window
 * lasts, a usage bucket's name while the bucket lasts, the rules' limits as long as the key has the same rules. The
 * hot path (two scripts per request on a key with limits) then joins no strings and formats no numbers per request
 * (the profile in docs/benchmarks.md, "Where the Redis arm's CPU goes", found them at 5-8 % of the event loops'
 * samples).
 *
 * <p>Bounded: at most {@link #MAX_KEYS} key ids are kept; past that the cache starts again empty (the next request of
 * each key builds its names once more). Values swap whole (immutable holders in volatile fields), so two event loops
 * racing on one key at most build the same names twice.
 */
final class RedisKeyNames {

    /** Key ids kept; a gateway's active keys are far fewer, a flood of unknown ids never gets this far (auth). */
    static final int MAX_KEYS = 10_000;

    private final String prefix;
    private final ConcurrentHashMap<String, Names> byKey = new ConcurrentHashMap<>();

    RedisKeyNames(String prefix) {
        this.prefix = prefix;
    }

    /** The names of {@code keyId}, built on first use. */
    Names of(String keyId) {
        Names n = byKey.get(keyId);
        if (n != null) {
            return n;
        }
        if (byKey.size() >= MAX_KEYS) {
            byKey.clear();
        }
        return byKey.computeIfAbsent(keyId, id -> new Names(prefix, id));
    }

    /** Key ids kept now (tests). */
    int size() {
        return byKey.size();
    }

    /** When the day and the week holding an instant end (admit.lua's arguments 12 and 13), per day bucket. */
    private record Ends(String day, String dayEnd, String weekEnd) {}

    private volatile Ends ends = new Ends("", "", "");

    /** Writes admit.lua's arguments 12 and 13 (the ends of the day and week holding {@code now}) into {@code args}. */
    void ends(Instant now, String[] args) {
        String day = Period.DAY.bucket(now);
        Ends e = ends;
        if (!e.day.equals(day)) {
            e = new Ends(
                    day,
                    Long.toString(Period.DAY.end(now).toEpochMilli()),
                    Long.toString(Period.WEEK.end(now).toEpochMilli()));
            ends = e;
        }
        args[11] = e.dayEnd;
        args[12] = e.weekEnd;
    }

    /** A number and its decimal text, the last one asked for. */
    record Number(long value, String text) {
        static final Number NONE = new Number(Long.MIN_VALUE, "");
    }

    /** A name that depends on a bucket or window start: the last one asked for. */
    private record Keyed(@Nullable Object of, String name) {}

    /**
     * The limits of one {@link KeyRules} as admit.lua's arguments 4, 5, 7 and 9-11, and as numbers (-1: no such limit;
     * costs in micro-USD) for the loops' own admissions ({@link RedisLoopStandings}).
     */
    record Limits(
            KeyRules rules,
            String conc,
            String reqs,
            String toks,
            String day,
            String week,
            String total,
            long concurrency,
            long requests,
            long tokens,
            long dayCost,
            long weekCost,
            long totalCost) {
        static Limits of(KeyRules r) {
            long concurrency = r.maxConcurrency() == null ? -1 : r.maxConcurrency();
            long requests = r.maxRequests() == null ? -1 : r.maxRequests();
            long tokens = r.maxTokens() == null ? -1 : r.maxTokens();
            long day = AdmissionRequest.micros(r.dailyCostUsd());
            long week = AdmissionRequest.micros(r.weeklyCostUsd());
            long total = AdmissionRequest.micros(r.totalCostUsd());
            return new Limits(
                    r,
                    Long.toString(concurrency),
                    Long.toString(requests),
                    Long.toString(tokens),
                    Long.toString(day),
                    Long.toString(week),
                    Long.toString(total),
                    concurrency,
                    requests,
                    tokens,
                    day,
                    week,
                    total);
        }
    }

    /** One key id's names. */
    static final class Names {
        private final String prefix;
        private final String keyId;
        final String tag;
        final String lease;
        final String noSession;
        private volatile Keyed rw = new Keyed(null, "");
        private volatile Keyed tw = new Keyed(null, "");
        private volatile Keyed day = new Keyed(null, "");
        private volatile Keyed week = new Keyed(null, "");
        private final String total;
        private volatile @Nullable Limits limits;

        Names(String prefix, String keyId) {
            this.prefix = prefix;
            this.keyId = keyId;
            this.tag = RedisSharedState.keyTag(prefix, keyId);
            this.lease = tag + "lease";
            this.noSession = tag + "s:-";
            this.total = usage(Period.TOTAL, Period.TOTAL.bucket(Instant.EPOCH));
        }

        /** {@code <tag>rw:<start>}: the request window counter starting at {@code start}. */
        String requestWindow(long start) {
            Keyed k = rw;
            if (!(k.of instanceof Long s && s == start)) {
                rw = k = window("rw:", start);
            }
            return k.name;
        }

        /** {@code <tag>tw:<start>}: the token window counter starting at {@code start}. */
        String tokenWindow(long start) {
            Keyed k = tw;
            if (!(k.of instanceof Long s && s == start)) {
                tw = k = window("tw:", start);
            }
            return k.name;
        }

        private Keyed window(String kind, long start) {
            return new Keyed(start, tag + kind + start);
        }

        /** The key's usage key of {@code period} (day, week or total) for the bucket holding {@code at}. */
        String usage(Period period, Instant at) {
            if (period == Period.TOTAL) {
                return total;
            }
            String bucket = period.bucket(at);
            Keyed k = period == Period.DAY ? day : week;
            if (!bucket.equals(k.of)) {
                k = new Keyed(bucket, usage(period, bucket));
                if (period == Period.DAY) {
                    day = k;
                } else {
                    week = k;
                }
            }
            return k.name;
        }

        private String usage(Period period, String bucket) {
            return RedisSharedState.usageKey(prefix, UsageScope.KEY, keyId, period, bucket);
        }

        /** Writes admit.lua's limit arguments (4, 5, 7, 9, 10, 11) of {@code rules} into {@code args}; returns them. */
        Limits limits(KeyRules rules, String[] args) {
            Limits l = limits;
            if (l == null || (l.rules != rules && !l.rules.equals(rules))) {
                l = Limits.of(rules);
                limits = l;
            }
            args[3] = l.conc;
            args[4] = l.reqs;
            args[6] = l.toks;
            args[8] = l.day;
            args[9] = l.week;
            args[10] = l.total;
            return l;
        }
    }

    /** {@code n}'s decimal text, from {@code last} when it is the same number; the caller keeps what it returns. */
    static Number text(Number last, long n) {
        return last.value == n ? last : new Number(n, Long.toString(n));
    }

    /** {@link #text(Number, long)} of a duration's milliseconds. */
    static Number millis(Number last, Duration d) {
        return text(last, d.toMillis());
    }
}
