package io.relaygate.accounts.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.core.ApiKey;
import java.io.IOException;

/** Stores an {@link ApiKey} as its JSON record form; it holds no secret, only the salted hash. */
final class KeyCodec extends RecordCodec<ApiKey> {

    static final KeyCodec INSTANCE = new KeyCodec();

    private KeyCodec() {}

    @Override
    String what() {
        return "key";
    }

    @Override
    String collection() {
        return "keys";
    }

    @Override
    String id(ApiKey value) {
        return value.id();
    }

    @Override
    String name(ApiKey value) {
        return value.name();
    }

    @Override
    JsonNode encode(ApiKey value) {
        return MAPPER.valueToTree(value);
    }

    @Override
    ApiKey decode(JsonNode node) {
        try {
            return MAPPER.treeToValue(node, ApiKey.class);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(what(), node, e);
        }
    }
}
