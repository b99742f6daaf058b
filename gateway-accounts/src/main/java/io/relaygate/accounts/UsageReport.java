package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.Account;
import io.relaygate.core.ApiKey;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.Quote;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Usage of every key, account or model in one bucket, with names: what {@code relaygate usage} prints and the admin
 * API's {@code GET /admin/usage} returns (the same JSON for both).
 *
 * @param scope what the lines are per
 * @param period the bucket's period
 * @param bucket the bucket, e.g. {@code 2026-11-30}
 * @param lines one per key, account or model that has usage in the bucket, by name
 */
public record UsageReport(UsageScope scope, Period period, String bucket, List<Line> lines) {

    /**
     * @param id key id, account id or model name
     * @param name the key's or account's name ({@code id} for models; {@code (deleted)} when it is gone)
     */
    public record Line(String id, String name, UsageCounters counters) {}

    public UsageReport {
        requireNonNull(scope, "scope");
        requireNonNull(period, "period");
        requireNonNull(bucket, "bucket");
        lines = List.copyOf(lines);
    }

    /** Reads the counters of {@code scope} in the {@code period} bucket holding {@code at}, and names their ids. */
    public static CompletionStage<UsageReport> read(Store store, UsageScope scope, Period period, Instant at) {
        return named(store, scope, period, at, store.state().usage(scope, period, at), true);
    }

    /**
     * The {@code n} ids of {@code scope} with the most cost, then requests, in the {@code period} bucket holding
     * {@code at} ({@link io.relaygate.accounts.state.SharedState#top}), named, most first.
     */
    public static CompletionStage<UsageReport> top(Store store, UsageScope scope, Period period, Instant at, int n) {
        return named(store, scope, period, at, store.state().top(scope, period, at, n), false);
    }

    private static CompletionStage<UsageReport> named(
            Store store,
            UsageScope scope,
            Period period,
            Instant at,
            CompletionStage<List<UsageRow>> rows,
            boolean byName) {
        CompletionStage<Map<String, String>> names;
        switch (scope) {
            case KEY:
                names = store.keys().list().thenApply(keys -> {
                    Map<String, String> m = new HashMap<>();
                    for (ApiKey k : keys) {
                        m.put(k.id(), k.name());
                    }
                    return m;
                });
                break;
            case ACCOUNT:
                names = store.accounts().list().thenApply(accounts -> {
                    Map<String, String> m = new HashMap<>();
                    for (Account a : accounts) {
                        m.put(a.id(), a.name());
                    }
                    return m;
                });
                break;
            default:
                names = java.util.concurrent.CompletableFuture.completedFuture(Map.of());
                break;
        }
        return rows.thenCombine(names, (r, n) -> {
            java.util.stream.Stream<Line> lines = r.stream()
                    .map(row -> new Line(
                            row.id(),
                            scope == UsageScope.MODEL ? row.id() : n.getOrDefault(row.id(), "(deleted)"),
                            row.counters()));
            if (byName) {
                lines = lines.sorted((a, b) -> a.name().compareTo(b.name()));
            }
            return new UsageReport(scope, period, period.bucket(at), lines.toList());
        });
    }

    /** {@code key}, {@code account} or {@code model} (any case); null means key. */
    public static UsageScope parseScope(@org.jspecify.annotations.Nullable String by) {
        if (by == null) {
            return UsageScope.KEY;
        }
        try {
            return UsageScope.valueOf(by.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("by: " + by + " (expected: key, account or model)");
        }
    }

    /** {@code hour}, {@code day}, {@code week} or {@code total} (any case); null means day. */
    public static Period parsePeriod(@org.jspecify.annotations.Nullable String period) {
        if (period == null) {
            return Period.DAY;
        }
        try {
            return Period.valueOf(period.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("period: " + period + " (expected: hour, day, week or total)");
        }
    }

    /** A date ({@code 2026-11-30}, its UTC start) or an instant ({@code 2026-11-30T17:00:00Z}); null means now. */
    public static Instant parseAt(@org.jspecify.annotations.Nullable String when, Instant now) {
        if (when == null) {
            return now;
        }
        try {
            String w = when.trim();
            return w.contains("T")
                    ? Instant.parse(w)
                    : java.time.LocalDate.parse(w)
                            .atStartOfDay(java.time.ZoneOffset.UTC)
                            .toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("at: " + when + " (expected: 2026-11-30 or 2026-11-30T17:00:00Z)");
        }
    }

    /** Only the lines whose name is {@code name}. */
    public UsageReport only(String name) {
        return new UsageReport(
                scope,
                period,
                bucket,
                lines.stream().filter(l -> l.name().equals(name)).toList());
    }

    /** The sum of every line. */
    public UsageCounters total() {
        UsageCounters t = UsageCounters.ZERO;
        for (Line l : lines) {
            t = t.plus(l.counters());
        }
        return t;
    }

    /** The report as JSON: {@code {by, period, bucket, lines: [...], total: {...}}}. */
    public ObjectNode toJson(ObjectMapper json) {
        return toJson(json, null);
    }

    /**
     * The report as JSON; per model, each line also says how {@code catalogue} prices it ({@code pricing}: exact,
     * estimated or unpriced, and {@code priced_as}), so estimated and unpriced rows stand out.
     */
    public ObjectNode toJson(ObjectMapper json, @org.jspecify.annotations.Nullable Catalogue catalogue) {
        ObjectNode n = json.createObjectNode();
        n.put("by", scope.name().toLowerCase(Locale.ROOT));
        n.put("period", period.name().toLowerCase(Locale.ROOT));
        n.put("bucket", bucket);
        ArrayNode a = n.putArray("lines");
        for (Line l : lines) {
            ObjectNode o = counters(a.addObject(), l.counters());
            o.put("id", l.id());
            o.put("name", l.name());
            if (catalogue != null && scope == UsageScope.MODEL) {
                Quote q = catalogue.quote(l.id());
                o.put("pricing", q.basis().wireName());
                o.put("priced_as", q.pricedAs());
            }
        }
        counters(n.putObject("total"), total());
        return n;
    }

    private static ObjectNode counters(ObjectNode o, UsageCounters c) {
        o.put("requests", c.requests());
        o.put("errors", c.errors());
        o.put("input_tokens", c.inputTokens());
        o.put("output_tokens", c.outputTokens());
        o.put("cache_creation_input_tokens", c.cacheCreationTokens());
        o.put("cache_read_input_tokens", c.cacheReadTokens());
        o.put("total_tokens", c.totalTokens());
        o.put("cost_usd", BigDecimal.valueOf(c.costMicros(), 6));
        return o;
    }
}
