package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.state.CostSpend;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.SpendStanding;
import io.relaygate.server.pipeline.AdminRoutes;
import io.relaygate.server.pipeline.ApiKeyAuthHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /api/oauth/usage} (bearer: a signed-in token or a gateway key): the caller's own cost cap in the shape
 * Claude Code's gateway protocol gives it ("Usage-limit headers — optional", the path claude.ai serves Claude Code's
 * usage on), so {@code /usage} and the status line show dollars next to the percent of the usage-limit headers.
 * {@code extra_usage} holds the fullest cap (the one the headers describe), {@code limits} one row per cap; amounts are
 * cents, percents whole, {@code resets_at} the same instant as the headers' reset. A key without a cost cap gets its
 * spend with no limit, as the protocol describes: {@code limits} empty, {@code extra_usage} its cents this UTC month
 * (the sum of the month's day buckets), {@code daily} and {@code weekly} (the ISO week's bucket), with null limits and
 * utilizations (0 would be a $0 cap). Also under the {@code /api} and {@code /claude} prefixes.
 */
public final class OAuthUsageEndpoint implements AdminRoutes {

    static final String PATH = "/api/oauth/usage";
    private static final Set<String> PATHS = Set.of(PATH, "/api" + PATH, "/claude" + PATH);

    /** Milliseconds always written, as the protocol's example ({@code 2026-10-01T00:00:00.000Z}). */
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private final ApiKeyService keys;
    private final SharedState state;
    private final Clock clock;

    public OAuthUsageEndpoint(ApiKeyService keys, SharedState state, Clock clock) {
        this.keys = requireNonNull(keys, "keys");
        this.state = requireNonNull(state, "state");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public boolean matches(String path) {
        return PATHS.contains(path);
    }

    private record Answer(int status, @Nullable ObjectNode body) {}

    @Override
    public void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body) {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            error(ctx, 405, "invalid_request_error", request.method() + " " + path + " is not allowed (expected: GET)");
            return;
        }
        String secret = ApiKeyAuthHandler.presentedKey(request);
        CompletionStage<Answer> answer = secret == null
                ? CompletableFuture.completedFuture(new Answer(401, null))
                : keys.authenticate(secret).thenCompose(this::answer);
        OAuthEndpoints.onLoop(ctx, answer, a -> {
            if (a.status() == 401) {
                error(ctx, 401, "authentication_error", "missing, unknown or ended credential");
            } else {
                SignInHttp.json(ctx, 200, requireNonNull(a.body(), "body"));
            }
        });
    }

    private CompletionStage<Answer> answer(Optional<ApiKey> found) {
        Instant now = clock.instant();
        if (found.isEmpty()
                || !found.get().enabled()
                || found.get().rules().expiresAt() != null
                        && !now.isBefore(found.get().rules().expiresAt())) {
            return CompletableFuture.completedFuture(new Answer(401, null));
        }
        ApiKey key = found.get();
        KeyRules rules = key.rules();
        if (!SpendStanding.capped(rules)) {
            return uncapped(key, now);
        }
        CompletableFuture<Long> day = spent(key, rules.dailyCostUsd(), Period.DAY, now);
        CompletableFuture<Long> week = spent(key, rules.weeklyCostUsd(), Period.WEEK, now);
        CompletableFuture<Long> total = spent(key, rules.totalCostUsd(), Period.TOTAL, now);
        return CompletableFuture.allOf(day, week, total)
                .thenApply(done -> new Answer(
                        200, body(SpendStanding.of(rules, new CostSpend(day.join(), week.join(), total.join()), now))));
    }

    /** The key's cost in {@code period}'s current bucket when it has a cap there; else unread. */
    private CompletableFuture<Long> spent(ApiKey key, @Nullable Double cap, Period period, Instant now) {
        if (cap == null) {
            return CompletableFuture.completedFuture(CostSpend.UNREAD);
        }
        return state.usageOf(UsageScope.KEY, key.id(), period, List.of(now))
                .thenApply(list -> list.isEmpty() ? 0L : list.get(0).costMicros())
                .toCompletableFuture();
    }

    /** The spend of a key without a cap: this UTC month's days (the last one today) and this week. */
    private CompletionStage<Answer> uncapped(ApiKey key, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<Instant> days = new ArrayList<>(today.getDayOfMonth());
        for (LocalDate d = today.withDayOfMonth(1); !d.isAfter(today); d = d.plusDays(1)) {
            days.add(d.atStartOfDay(ZoneOffset.UTC).toInstant());
        }
        CompletableFuture<List<UsageCounters>> month =
                state.usageOf(UsageScope.KEY, key.id(), Period.DAY, days).toCompletableFuture();
        CompletableFuture<List<UsageCounters>> week = state.usageOf(UsageScope.KEY, key.id(), Period.WEEK, List.of(now))
                .toCompletableFuture();
        return month.thenCombine(week, (m, w) -> {
            long monthMicros = m.stream().mapToLong(UsageCounters::costMicros).sum();
            long dayMicros = m.isEmpty() ? 0 : m.get(m.size() - 1).costMicros();
            long weekMicros = w.isEmpty() ? 0 : w.get(0).costMicros();
            return new Answer(200, uncappedBody(monthMicros, dayMicros, weekMicros));
        });
    }

    static ObjectNode uncappedBody(long monthMicros, long dayMicros, long weekMicros) {
        ObjectNode n = SignInHttp.JSON.createObjectNode();
        ObjectNode extra = n.putObject("extra_usage")
                .put("is_enabled", true)
                .putNull("monthly_limit")
                .put("used_credits", cents(monthMicros))
                .putNull("utilization")
                .put("currency", "USD");
        extra.set("daily", unlimited(dayMicros));
        extra.set("weekly", unlimited(weekMicros));
        n.putArray("limits");
        return n;
    }

    private static ObjectNode unlimited(long micros) {
        ObjectNode n = SignInHttp.JSON.createObjectNode();
        n.putNull("limit");
        n.put("used_credits", cents(micros));
        n.putNull("utilization");
        return n;
    }

    static ObjectNode body(List<SpendStanding> standings) {
        SpendStanding fullest = requireNonNull(SpendStanding.fullest(standings), "fullest");
        ObjectNode n = SignInHttp.JSON.createObjectNode();
        n.putObject("extra_usage")
                .put("is_enabled", true)
                .put("monthly_limit", cents(fullest.limitMicros()))
                .put("used_credits", cents(fullest.spentMicros()))
                .put("utilization", fullest.percent())
                .put("currency", "USD");
        ArrayNode limits = n.putArray("limits");
        for (SpendStanding s : standings) {
            ObjectNode row = limits.addObject()
                    .put("kind", "spend")
                    .put("group", s.period())
                    .put("percent", s.percent());
            Instant reset = s.resetAt();
            if (reset == null) {
                row.putNull("resets_at");
            } else {
                row.put("resets_at", ISO_MILLIS.format(reset.truncatedTo(ChronoUnit.MILLIS)));
            }
            row.put("severity", s.surpassedThreshold() == null ? "normal" : "warning")
                    .put("is_active", s == fullest);
        }
        return n;
    }

    /** Micro-USD in whole cents, rounded. */
    private static long cents(long micros) {
        return Math.round(micros / 10_000d);
    }

    private static void error(ChannelHandlerContext ctx, int status, String type, String message) {
        ObjectNode body = SignInHttp.JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        Map<String, String> extra = status == 401 ? Map.of("x-should-retry", "false") : Map.of();
        SignInHttp.send(ctx, status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8), extra);
    }
}
