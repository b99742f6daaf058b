package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.core.ApiKey;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The key holder's own request records for {@code /me}: usage per model and the latest requests, read by the key's id
 * (one ledger read of at most {@link RequestQuery#MAX_LIMIT} records), showing only what is the holder's to see: time,
 * client, model, status, how it ended, tokens, cost and duration. Never the accounts that were tried or passed over,
 * nor the key's id. When the gateway keeps no records (or they cannot be read), {@code requestsKept} is false and
 * both lists are empty.
 */
final class KeyHolderRequests {

    /** Latest requests shown. */
    static final int RECENT = 20;

    private final @Nullable List<RequestRecord> records;

    private KeyHolderRequests(@Nullable List<RequestRecord> records) {
        this.records = records;
    }

    static CompletableFuture<KeyHolderRequests> read(Store store, ApiKey key, Instant since) {
        CompletableFuture<List<RequestRecord>> read;
        try {
            read = store.requests()
                    .read(new RequestQuery(key.id(), null, since, null, RequestQuery.MAX_LIMIT))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((list, e) -> new KeyHolderRequests(e == null ? list : null));
    }

    /** Puts {@code requestsKept}, {@code models} (most cost first) and {@code recent} (newest first) into {@code n}. */
    void put(ObjectNode n) {
        n.put("requestsKept", records != null);
        ArrayNode models = n.putArray("models");
        ArrayNode recent = n.putArray("recent");
        if (records == null) {
            return;
        }
        n.put("recordsRead", records.size());
        Map<String, long[]> byModel = new TreeMap<>();
        Map<String, double[]> costs = new TreeMap<>();
        for (RequestRecord r : records) {
            String model = r.model() == null ? "(none)" : r.model();
            long[] c = byModel.computeIfAbsent(model, m -> new long[4]);
            c[0]++;
            c[1] += r.status() >= 400 || r.status() == 0 ? 1 : 0;
            c[2] += r.inputTokens() + r.cacheReadTokens() + r.cacheWriteTokens();
            c[3] += r.outputTokens();
            costs.computeIfAbsent(model, m -> new double[1])[0] += r.costUsd();
        }
        byModel.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, long[]> e) -> costs.get(e.getKey())[0])
                        .thenComparingLong(e -> e.getValue()[0])
                        .reversed())
                .forEach(e -> models.addObject()
                        .put("model", e.getKey())
                        .put("requests", e.getValue()[0])
                        .put("errors", e.getValue()[1])
                        .put("inputTokens", e.getValue()[2])
                        .put("outputTokens", e.getValue()[3])
                        .put("costUsd", costs.get(e.getKey())[0]));
        for (RequestRecord r : records.subList(0, Math.min(RECENT, records.size()))) {
            recent.addObject()
                    .put("time", r.time().toString())
                    .put("client", r.client())
                    .put("model", r.model())
                    .put("status", r.status())
                    .put("end", r.end())
                    .put("inputTokens", r.inputTokens() + r.cacheReadTokens() + r.cacheWriteTokens())
                    .put("outputTokens", r.outputTokens())
                    .put("costUsd", r.costUsd())
                    .put("durationMs", r.durationMs());
        }
    }
}
