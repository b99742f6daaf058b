package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.accounts.ledger.RequestRecords;
import io.relaygate.accounts.state.RedisGroupCommit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Per-request records in one Redis stream, {@code <prefix>{requests}:log}, each entry a batch: fields {@code r},
 * {@code r2}, {@code r3}, … holding its records' JSON, oldest first. A batch is one {@code EVAL} running one
 * {@code XADD} whatever its size, so a request costs a fraction of one command. The bound counts records, not entries:
 * {@code {requests}:n} counts the records ever appended and {@code {requests}:marks} ranks each entry id by that count
 * after it; each time the count passes a quarter of the bound, the entries older than the newest N records go
 * ({@code XTRIM MINID}), keeping between N and 1.25 N and a batch. Reading walks the stream newest first with
 * {@code XREVRANGE} in pages; an entry's id is the time it was written, never before its records ended, so
 * {@code since} bounds the ids and the records' own time and fields filter the rest.
 *
 * <p>On a Redis of one server the log's regular batches ({@link #appendRiding}) ride with the next spend's call
 * ({@link RedisGroupCommit}): the same script, run as a part of that call, so they cost no call of their own.
 */
final class RedisRequestRecords implements RequestRecords {

    /** About how many records the stream keeps. */
    static final long DEFAULT_MAX_RECORDS = 100_000;

    private static final int PAGE = 1000;

    /** records.lua, sent alone (EVAL) when the records do not ride in a spend's call. */
    private static final String APPEND = RedisGroupCommit.recordsSource();

    /** Records per EVAL: their fields go through Lua's stack ({@code unpack}). */
    private static final int CHUNK = 1000;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String key;
    private final String[] keys;
    private final long maxRecords;
    private final @org.jspecify.annotations.Nullable RedisGroupCommit rider;

    RedisRequestRecords(RedisClusterAsyncCommands<String, String> redis, String prefix, long maxRecords) {
        this(redis, prefix, maxRecords, null);
    }

    /** @param rider the one-server state's group commit the regular batches ride in; {@code null} on a Cluster */
    RedisRequestRecords(
            RedisClusterAsyncCommands<String, String> redis,
            String prefix,
            long maxRecords,
            @org.jspecify.annotations.Nullable RedisGroupCommit rider) {
        this.redis = requireNonNull(redis, "redis");
        this.rider = rider;
        this.key = prefix + "{requests}:log";
        this.keys = new String[] {key, prefix + "{requests}:marks", prefix + "{requests}:n"};
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords: " + maxRecords + " (expected: > 0)");
        }
        this.maxRecords = maxRecords;
    }

    @Override
    public CompletionStage<Void> append(List<RequestRecord> batch) {
        return append(batch, null);
    }

    /** A batch of at most one script's records rides with the next spend, when there is a group commit. */
    @Override
    public CompletionStage<Void> appendRiding(List<RequestRecord> batch) {
        return append(batch, batch.size() <= CHUNK ? rider : null);
    }

    private CompletionStage<Void> append(
            List<RequestRecord> batch, @org.jspecify.annotations.Nullable RedisGroupCommit rider) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int from = 0; from < batch.size(); from += CHUNK) {
            List<RequestRecord> chunk = batch.subList(from, Math.min(batch.size(), from + CHUNK));
            String[] args = new String[chunk.size() + 1];
            args[0] = Long.toString(maxRecords);
            try {
                for (int i = 0; i < chunk.size(); i++) {
                    args[i + 1] = RequestRecords.json().writeValueAsString(chunk.get(i));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            writes.add((rider != null
                            ? rider.records(keys, args)
                            : redis.<Long>eval(APPEND, ScriptOutputType.INTEGER, keys, args))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletionStage<List<RequestRecord>> read(RequestQuery query) {
        Range.Boundary<String> start = query.since() == null
                ? Range.Boundary.unbounded()
                : Range.Boundary.including(Long.toString(query.since().toEpochMilli()));
        // no upper id bound: a record is written after it ended, how long after (a batch, an outage) is not bounded
        Range.Boundary<String> end = Range.Boundary.unbounded();
        List<RequestRecord> out = new ArrayList<>();
        CompletableFuture<List<RequestRecord>> done = new CompletableFuture<>();
        page(query, start, end, out, done);
        return done;
    }

    /** Reads one page below {@code end} and goes on until the query is answered or the range is exhausted. */
    private void page(
            RequestQuery query,
            Range.Boundary<String> start,
            Range.Boundary<String> end,
            List<RequestRecord> out,
            CompletableFuture<List<RequestRecord>> done) {
        redis.xrevrange(key, Range.from(start, end), Limit.from(PAGE)).whenComplete((page, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            for (StreamMessage<String, String> m : page) {
                // an entry is a batch, oldest first: newest first is its fields backwards
                Map<String, String> body = m.getBody();
                for (int i = body.size(); i >= 1; i--) {
                    String json = body.get(i == 1 ? "r" : "r" + i);
                    RequestRecord r = json == null ? null : parse(json);
                    if (r != null && query.matches(r)) {
                        out.add(r);
                        if (out.size() == query.limit()) {
                            done.complete(out);
                            return;
                        }
                    }
                }
            }
            if (page.size() < PAGE) {
                done.complete(out);
                return;
            }
            // exclusive bound (Redis 6.2+): the next page starts below the last id read
            page(
                    query,
                    start,
                    Range.Boundary.excluding(page.get(page.size() - 1).getId()),
                    out,
                    done);
        });
    }

    private static @org.jspecify.annotations.Nullable RequestRecord parse(String json) {
        try {
            return RequestRecords.json().readValue(json, RequestRecord.class);
        } catch (IOException e) {
            return null;
        }
    }
}
