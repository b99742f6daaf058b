package io.relaygate.codec.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Small pull-parser steps for reading a few values out of large JSON without building a tree. Each takes the token
 * the parser is on and leaves the parser on the last token of that value, so callers can go on with
 * {@code nextToken()}.
 */
public final class JsonValues {

    private JsonValues() {}

    /** The string value at {@code value}, or null (skipping it) for any other type. */
    public static @Nullable String stringOrNull(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    /** The string member {@code name} of the object at {@code value}, skipping everything else in it. */
    public static @Nullable String stringMember(JsonParser p, JsonToken value, String name) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String found = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = name.equals(p.currentName());
            JsonToken v = p.nextToken();
            if (wanted && v == JsonToken.VALUE_STRING) {
                found = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}
