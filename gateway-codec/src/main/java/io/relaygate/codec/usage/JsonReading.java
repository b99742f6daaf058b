package io.relaygate.codec.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Small pull-parser steps shared by the usage taps; each leaves the parser on the last token of the value it read. */
final class JsonReading {

    private JsonReading() {}

    /** Reads the usage object at {@code value} into {@code into}; anything but an object is skipped. */
    static void readUsage(JsonParser p, JsonToken value, UsageFields into) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (isLongInteger(p, v)) {
                into.set(field, p.getLongValue());
            } else {
                p.skipChildren();
            }
        }
    }

    /** An integer that fits a long; a larger one is treated as absent rather than failing the whole event. */
    static boolean isLongInteger(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            return false;
        }
        JsonParser.NumberType type = p.getNumberType();
        return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
    }
}
