package io.relaygate.accounts.ledger;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The store's per-request records (SPI): bounded, appended in batches, read newest first. The Redis backend keeps them
 * in one stream, an entry per batch, trimmed to about N records; the embedded store in rotating JSON-lines files.
 */
public interface RequestRecords {

    /** Appends {@code batch} (oldest first); the oldest records beyond the bound are dropped. */
    CompletionStage<Void> append(List<RequestRecord> batch);

    /**
     * {@link #append}, for a batch that may be held back a little ({@link RequestLog}'s regular batches): the Redis
     * store of one server sends it in the next usage spend's call, or alone after a short bound.
     */
    default CompletionStage<Void> appendRiding(List<RequestRecord> batch) {
        return append(batch);
    }

    /** The records {@code query} asks for, newest first. */
    CompletionStage<List<RequestRecord>> read(RequestQuery query);

    /** The JSON mapper for stored records (ISO-8601 instants). */
    static com.fasterxml.jackson.databind.ObjectMapper json() {
        return RecordJson.MAPPER;
    }
}
