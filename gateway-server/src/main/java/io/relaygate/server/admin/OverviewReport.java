package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.UsageReport;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.Account;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The console's overview ({@code GET /admin/overview?range=hour|day|week}): requests, errors, tokens and cost over
 * time from the usage counters (the last 2 hours or 24 hours in hourly buckets, or the last 7 days in daily buckets),
 * the top keys, accounts and models of the current hour, UTC day or ISO week, and the accounts out of rotation with
 * why and until when. Latency percentiles come from the per-request records ({@code /admin/requests}), which the
 * page reads itself.
 *
 * <p>A bucket that ended more than {@link #SETTLED} ago is read once and its sum kept for {@link #SETTLED} (usage
 * written late, a journal replayed after an outage, lands within that time): a repeated overview reads the buckets
 * still open, not 24 hours or 7 days of them again. The top lists are the store's ranking of the open period
 * ({@code SharedState.top}: on Redis a sorted set per bucket and the listed ids' counters, not every id's).
 */
final class OverviewReport {

    private static final int TOP = 5;

    /** How long after its end a bucket is taken as settled, and how long its sum is kept. */
    static final Duration SETTLED = Duration.ofMinutes(10);

    private static final int MAX_KEPT = 512;

    /** Settled buckets' sums by {@code step|start}, with when they were read (ms). */
    private final java.util.concurrent.ConcurrentHashMap<String, Kept> kept =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record Kept(UsageCounters sum, long readAtMillis) {}

    CompletableFuture<AdminAnswer> read(Store store, String range, Instant now) {
        Period step;
        Period top;
        int points;
        switch (range) {
            case "hour":
                step = Period.HOUR;
                top = Period.HOUR;
                points = 2;
                break;
            case "day":
                step = Period.HOUR;
                top = Period.DAY;
                points = 24;
                break;
            case "week":
                step = Period.DAY;
                top = Period.WEEK;
                points = 7;
                break;
            default:
                throw new IllegalArgumentException("range: " + range + " (expected: hour, day or week)");
        }
        Duration width = step == Period.HOUR ? Duration.ofHours(1) : Duration.ofDays(1);
        List<Instant> times = new ArrayList<>(points);
        List<CompletableFuture<UsageCounters>> series = new ArrayList<>(points);
        kept.values().removeIf(k -> now.toEpochMilli() - k.readAtMillis() > SETTLED.toMillis());
        for (int i = points - 1; i >= 0; i--) {
            Instant at = now.minus(width.multipliedBy(i));
            Instant start = start(step, at);
            times.add(start);
            series.add(
                    bucket(store, step, start, start.plus(width).plus(SETTLED).isBefore(now), now));
        }
        CompletableFuture<UsageReport> keys =
                UsageReport.top(store, UsageScope.KEY, top, now, TOP).toCompletableFuture();
        CompletableFuture<UsageReport> accounts =
                UsageReport.top(store, UsageScope.ACCOUNT, top, now, TOP).toCompletableFuture();
        CompletableFuture<UsageReport> models =
                UsageReport.top(store, UsageScope.MODEL, top, now, TOP).toCompletableFuture();
        CompletableFuture<List<Account>> all = store.accounts().list().toCompletableFuture();
        CompletableFuture<Map<String, AccountCondition>> conditions =
                store.state().conditions(now).toCompletableFuture();
        List<CompletableFuture<?>> waits = new ArrayList<>(series);
        waits.addAll(List.of(keys, accounts, models, all, conditions));
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ObjectNode n = Views.JSON.createObjectNode();
            n.put("range", range);
            n.put("step", step == Period.HOUR ? "hour" : "day");
            n.put("topPeriod", top.name().toLowerCase(java.util.Locale.ROOT));
            n.put("now", now.toString());
            ArrayNode points0 = n.putArray("series");
            UsageCounters sum = UsageCounters.ZERO;
            for (int i = 0; i < series.size(); i++) {
                UsageCounters c = series.get(i).join();
                sum = sum.plus(c);
                ObjectNode p = KeysAdmin.counters(c);
                p.put("time", times.get(i).toString());
                points0.add(p);
            }
            n.set("totals", KeysAdmin.counters(sum));
            n.set("topKeys", top(keys.join()));
            n.set("topAccounts", top(accounts.join()));
            n.set("topModels", top(models.join()));
            ArrayNode out = n.putArray("outOfRotation");
            for (Account a : all.join()) {
                AccountCondition c = conditions.join().get(a.id());
                if (c != null || !a.schedulable()) {
                    ObjectNode o = out.addObject();
                    o.put("name", a.name());
                    o.put("kind", a.kind().wireName());
                    AccountStateJson.put(o, c, null, null, now);
                    if (c == null) {
                        o.put("state", "not schedulable");
                        o.put("reason", "turned off by an operator");
                    }
                }
            }
            return AdminAnswer.ok(n);
        });
    }

    /** The sum over models of one bucket: kept when settled, else read. */
    private CompletableFuture<UsageCounters> bucket(
            Store store, Period step, Instant start, boolean settled, Instant now) {
        String id = step.name() + "|" + start;
        Kept k = settled ? kept.get(id) : null;
        if (k != null) {
            return CompletableFuture.completedFuture(k.sum());
        }
        return store.state()
                .usage(UsageScope.MODEL, step, start)
                .toCompletableFuture()
                .thenApply(rows -> {
                    UsageCounters c = UsageCounters.ZERO;
                    for (UsageRow r : rows) {
                        c = c.plus(r.counters());
                    }
                    if (settled && kept.size() < MAX_KEPT) {
                        kept.put(id, new Kept(c, now.toEpochMilli()));
                    }
                    return c;
                });
    }

    /** The report's lines as the store ranked them (cost, then requests). */
    private static ArrayNode top(UsageReport report) {
        ArrayNode a = Views.JSON.createArrayNode();
        for (UsageReport.Line l : report.lines()) {
            ObjectNode o = KeysAdmin.counters(l.counters());
            o.put("name", l.name());
            a.add(o);
        }
        return a;
    }

    private static Instant start(Period step, Instant at) {
        return step == Period.HOUR
                ? at.truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                : at.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    }
}
