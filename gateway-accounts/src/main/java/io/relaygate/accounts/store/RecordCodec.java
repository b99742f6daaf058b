package io.relaygate.accounts.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.relaygate.accounts.StoreException;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import org.jspecify.annotations.Nullable;

/**
 * How one kind of record (keys, accounts) is named and stored as JSON; both backends share it, so a record has the
 * same stored form in a file and in Redis.
 */
abstract class RecordCodec<T> {

    /** Instants and durations as ISO-8601 text; unknown fields ignored so an older instance reads newer records. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** {@code key} or {@code account}, for messages. */
    abstract String what();

    /** {@code keys} or {@code accounts}: the file name stem and the Redis hash tag. */
    abstract String collection();

    abstract String id(T value);

    abstract String name(T value);

    /**
     * The record's alternate unique key (a person's identity-provider subject), or null when it has none; kinds
     * without one ({@link #alternateField()} null) never have one.
     */
    @Nullable
    String alternate(T value) {
        return null;
    }

    /** The stored JSON field that holds the alternate key, or null for a kind without one. */
    @Nullable
    String alternateField() {
        return null;
    }

    /** The answer to a create or update that gives a record an alternate key another record holds. */
    final GatewayException alternateTaken(String value) {
        return new GatewayException(
                ErrorKind.INVALID_REQUEST,
                what() + " " + alternateField() + ": " + value + " belongs to another " + what());
    }

    abstract JsonNode encode(T value);

    abstract T decode(JsonNode node);

    final String write(T value) {
        return encode(value).toString();
    }

    final T read(String json) {
        try {
            return decode(MAPPER.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException(what() + " record: unreadable JSON (" + e.getOriginalMessage() + ")");
        }
    }

    static StoreException unreadable(String what, JsonNode node, Exception e) {
        JsonNode name = node.get("name");
        return new StoreException(what + " record " + (name == null ? "without a name" : name.asText())
                + ": unreadable (" + e.getMessage() + ")");
    }
}
