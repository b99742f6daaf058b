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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Per-request records in one Redis stream, {@code <prefix>{requests}:log}, each entry one field {@code r} holding the
 * record's JSON. A batch is one {@code EVAL} that runs {@code XADD key MAXLEN ~ N * r json} per record, so a
 * request costs a fraction of one command; {@code MAXLEN ~} lets Redis trim whole nodes, keeping about N. Reading
 * walks the stream newest first with {@code XREVRANGE} in pages; an entry's id is the time it was written, never
 * before its record ended, so {@code since} bounds the ids and the records' own time and fields filter the rest.
 */
final class RedisRequestRecords implements RequestRecords {

    /** About how many records the stream keeps. */
    static final long DEFAULT_MAX_RECORDS = 100_000;

    private static final int PAGE = 1000;

    private static final String APPEND = "for i = 2, #ARGV do redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',"
            + " 'r', ARGV[i]) end return #ARGV - 1";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String key;
    private final long maxRecords;

    RedisRequestRecords(RedisClusterAsyncCommands<String, String> redis, String prefix, long maxRecords) {
        this.redis = requireNonNull(redis, "redis");
        this.key = prefix + "{requests}:log";
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords: " + maxRecords + " (expected: > 0)");
        }
        this.maxRecords = maxRecords;
    }

    @Override
    public CompletionStage<Void> append(List<RequestRecord> batch) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String[] args = new String[batch.size() + 1];
        args[0] = Long.toString(maxRecords);
        try {
            for (int i = 0; i < batch.size(); i++) {
                args[i + 1] = RequestRecords.json().writeValueAsString(batch.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return redis.<Long>eval(APPEND, ScriptOutputType.INTEGER, new String[] {key}, args)
                .thenApply(n -> null);
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
                String json = m.getBody().get("r");
                RequestRecord r = json == null ? null : parse(json);
                if (r != null && query.matches(r)) {
                    out.add(r);
                    if (out.size() == query.limit()) {
                        done.complete(out);
                        return;
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
