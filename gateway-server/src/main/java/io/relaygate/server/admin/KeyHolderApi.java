package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.ApiKey;
import io.relaygate.core.Durations;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key holder's API ({@code GET /me/api}, the page at {@code /me}): a gateway key, sent as {@code x-api-key} or
 * {@code Authorization: Bearer}, sees its own name, rules, limits with what is left and when each resets, and its
 * usage per UTC day for the last {@link #DAYS} days, its usage per model and its latest requests (from the request
 * records, {@link KeyHolderRequests}). Nothing about other keys or about accounts (not even the name of an account the
 * key is bound to or served a request). Wrong keys are counted per address like console sign-ins, and answered alike.
 */
final class KeyHolderApi {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    static final int DAYS = 14;
    static final int MAX_FAILURES_PER_ADDRESS = 20;

    private final Store store;
    private final Clock clock;
    private final ApiKeyService keys;

    KeyHolderApi(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.keys = new ApiKeyService(store.keys());
    }

    void handle(ChannelHandlerContext ctx, HttpRequest request, String id, String address) {
        if (!HttpMethod.GET.equals(request.method())) {
            AdminApi.error(ctx, ErrorKind.METHOD_NOT_ALLOWED, request.method() + " /me/api (expected: GET)", id);
            return;
        }
        String secret = secret(request);
        String counter = "me:" + address;
        CompletionStage<AdminAnswer> answer = store.admin()
                .failures(counter)
                .thenCompose(failures -> {
                    if (failures >= MAX_FAILURES_PER_ADDRESS) {
                        securityLog.warn("key holder page throttled from {} (too many wrong keys)", address);
                        throw new io.relaygate.core.GatewayException(
                                ErrorKind.RATE_LIMIT, "too many wrong keys from this address: wait 15 minutes");
                    }
                    return secret == null
                            ? CompletableFuture.completedFuture(Optional.<ApiKey>empty())
                            : keys.authenticate(secret);
                })
                .thenCompose(found -> {
                    if (found.isEmpty()) {
                        securityLog.info("key holder page: wrong or missing key from {}", address);
                        return store.admin()
                                .countFailure(counter, ConsoleSessions.FAILURE_WINDOW)
                                .thenApply(n -> {
                                    throw new io.relaygate.core.GatewayException(
                                            ErrorKind.AUTHENTICATION, "gateway key missing or wrong");
                                });
                    }
                    return view(found.get());
                });
        AdminApi.answer(ctx, answer, id, Map.of());
    }

    private static @Nullable String secret(HttpRequest request) {
        String key = request.headers().get("x-api-key");
        if (key != null && !key.isBlank()) {
            return key.trim();
        }
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return null;
    }

    private CompletionStage<AdminAnswer> view(ApiKey key) {
        Instant now = clock.instant();
        List<Instant> days = new ArrayList<>(DAYS);
        for (int i = DAYS - 1; i >= 0; i--) {
            days.add(now.minus(Duration.ofDays(i)));
        }
        // this key's usage hashes only (one read per bucket), never every key's
        CompletableFuture<List<UsageCounters>> daily = store.state()
                .usageOf(UsageScope.KEY, key.id(), Period.DAY, days)
                .toCompletableFuture();
        CompletableFuture<List<UsageCounters>> week = store.state()
                .usageOf(UsageScope.KEY, key.id(), Period.WEEK, List.of(now))
                .toCompletableFuture();
        CompletableFuture<List<UsageCounters>> total = store.state()
                .usageOf(UsageScope.KEY, key.id(), Period.TOTAL, List.of(now))
                .toCompletableFuture();
        CompletableFuture<KeyHolderRequests> requests =
                KeyHolderRequests.read(store, key, now.minus(Duration.ofDays(DAYS)));
        CompletableFuture<io.relaygate.accounts.state.KeyWindows> windows =
                store.state().windows(key.id(), key.rules(), now).toCompletableFuture();
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(daily);
        all.add(week);
        all.add(total);
        all.add(requests);
        all.add(windows);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    ObjectNode n = Views.JSON.createObjectNode();
                    ObjectNode k = n.putObject("key");
                    k.put("name", key.name());
                    k.put("prefix", key.prefix());
                    k.put("enabled", key.enabled());
                    k.put("createdAt", key.createdAt().toString());
                    KeyRules r = key.rules();
                    if (r.expiresAt() != null) {
                        k.put("expiresAt", r.expiresAt().toString());
                    }
                    ArrayNode rules = k.putArray("rules");
                    for (String part : ruleTexts(r)) {
                        rules.add(part);
                    }
                    ArrayNode byDay = n.putArray("days");
                    UsageCounters today = UsageCounters.ZERO;
                    for (int i = 0; i < days.size(); i++) {
                        UsageCounters c = daily.join().get(i);
                        ObjectNode d = KeysAdmin.counters(c);
                        d.put("day", Period.DAY.bucket(days.get(i)));
                        byDay.add(d);
                        today = c;
                    }
                    n.set(
                            "limits",
                            KeysAdmin.limits(
                                    r, today, week.join().get(0), total.join().get(0), windows.join(), now));
                    n.set("total", KeysAdmin.counters(total.join().get(0)));
                    requests.join().put(n);
                    return AdminAnswer.ok(n);
                })
                .exceptionally(e -> {
                    throw new java.util.concurrent.CompletionException(
                            new IllegalStateException("usage unavailable: " + Secrets.redact(String.valueOf(e))));
                });
    }

    /** The key's rules in words, leaving out the account or group it is bound to (their names are the operator's). */
    private static List<String> ruleTexts(KeyRules r) {
        List<String> parts = new ArrayList<>();
        if (!r.allowedModels().isEmpty()) {
            parts.add("models: " + String.join(", ", r.allowedModels()));
        }
        if (!r.deniedModels().isEmpty()) {
            parts.add("not these models: " + String.join(", ", r.deniedModels()));
        }
        if (!r.allowedClients().isEmpty()) {
            parts.add("clients: "
                    + r.allowedClients().stream()
                            .map(io.relaygate.core.ClientKind::wireName)
                            .sorted()
                            .reduce((a, b) -> a + ", " + b)
                            .orElse(""));
        }
        if (r.maxRequests() != null && r.requestWindow() != null) {
            parts.add(r.maxRequests() + " requests per " + Durations.format(r.requestWindow()));
        }
        if (r.maxTokens() != null && r.tokenWindow() != null) {
            parts.add(r.maxTokens() + " tokens per " + Durations.format(r.tokenWindow()));
        }
        if (r.maxConcurrency() != null) {
            parts.add(r.maxConcurrency() + " requests at once");
        }
        return parts;
    }
}
