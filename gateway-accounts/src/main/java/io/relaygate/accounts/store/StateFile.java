package io.relaygate.accounts.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.StoreException;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.ConditionCodec;
import io.relaygate.accounts.state.LocalSharedState;
import io.relaygate.accounts.state.UsageCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code state.json} in the data folder: the embedded store's usage counters, account conditions, last-used times
 * and the upstreams' quota readings.
 * Saved (whole file, atomically) at most once per {@link #SAVE_DELAY_MILLIS} after a change, and on close.
 */
final class StateFile implements LocalSharedState.Persistence {

    private static final Logger logger = LoggerFactory.getLogger(StateFile.class);
    static final String FILE_NAME = "state.json";
    static final long SAVE_DELAY_MILLIS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ScheduledExecutorService io;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile LocalSharedState state;

    StateFile(Path dataDir, ScheduledExecutorService io) {
        this.file = dataDir.resolve(FILE_NAME);
        this.io = io;
    }

    void attach(LocalSharedState state) {
        this.state = state;
    }

    @Override
    public void changed() {
        if (scheduled.compareAndSet(false, true)) {
            io.schedule(this::saveNow, SAVE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void saveNow() {
        scheduled.set(false);
        LocalSharedState s = state;
        if (s == null) {
            return;
        }
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(encode(s.snapshot())));
        } catch (IOException e) {
            logger.warn("cannot save {}: {}", file, e.toString());
        }
    }

    LocalSharedState.Snapshot load() {
        if (!Files.exists(file)) {
            return LocalSharedState.Snapshot.EMPTY;
        }
        try {
            return decode(JSON.readTree(file.toFile()));
        } catch (IOException | RuntimeException e) {
            throw new StoreException(file + ": not a readable state file (" + e.getMessage() + ")");
        }
    }

    private static ObjectNode encode(LocalSharedState.Snapshot s) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode usage = root.putObject("usage");
        s.usage().forEach((k, c) -> {
            ArrayNode a = usage.putArray(k);
            a.add(c.requests())
                    .add(c.errors())
                    .add(c.inputTokens())
                    .add(c.outputTokens())
                    .add(c.cacheCreationTokens())
                    .add(c.cacheReadTokens())
                    .add(c.costMicros());
        });
        ObjectNode conditions = root.putObject("conditions");
        s.conditions().forEach((id, c) -> conditions.put(id, ConditionCodec.encode(c)));
        ObjectNode used = root.putObject("lastUsed");
        s.lastUsed().forEach((id, t) -> used.put(id, t.toEpochMilli()));
        ObjectNode quotas = root.putObject("quotas");
        s.quotas().forEach((id, q) -> quotas.put(id, q.encode()));
        ObjectNode applied = root.putObject("applied");
        s.applied().forEach((w, seqs) -> {
            ArrayNode a = applied.putArray(w);
            seqs.forEach(a::add);
        });
        return root;
    }

    private static LocalSharedState.Snapshot decode(JsonNode root) {
        Map<String, UsageCounters> usage = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("usage").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode a = e.getValue();
            usage.put(
                    e.getKey(),
                    new UsageCounters(
                            a.get(0).asLong(),
                            a.get(1).asLong(),
                            a.get(2).asLong(),
                            a.get(3).asLong(),
                            a.get(4).asLong(),
                            a.get(5).asLong(),
                            a.get(6).asLong()));
        }
        Map<String, AccountCondition> conditions = new HashMap<>();
        root.path("conditions").fields().forEachRemaining(e -> {
            AccountCondition c = ConditionCodec.decode(e.getValue().asText());
            if (c != null) {
                conditions.put(e.getKey(), c);
            }
        });
        Map<String, Instant> used = new HashMap<>();
        root.path("lastUsed")
                .fields()
                .forEachRemaining(e ->
                        used.put(e.getKey(), Instant.ofEpochMilli(e.getValue().asLong())));
        Map<String, AccountQuota> quotas = new HashMap<>();
        root.path("quotas").fields().forEachRemaining(e -> {
            AccountQuota q = AccountQuota.decode(e.getValue().asText());
            if (q != null) {
                quotas.put(e.getKey(), q);
            }
        });
        Map<String, java.util.List<Long>> applied = new HashMap<>();
        root.path("applied").fields().forEachRemaining(e -> {
            java.util.List<Long> seqs = new java.util.ArrayList<>();
            e.getValue().forEach(n -> seqs.add(n.asLong()));
            applied.put(e.getKey(), seqs);
        });
        return new LocalSharedState.Snapshot(usage, conditions, used, quotas, applied);
    }
}
