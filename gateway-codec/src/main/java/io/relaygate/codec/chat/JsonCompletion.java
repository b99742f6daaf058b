package io.relaygate.codec.chat;

/**
 * Tells, fragment by fragment, whether the text fed so far is one whole JSON value (an object or array whose
 * brackets have closed, outside any string). A tool call's arguments stream as fragments of one JSON object; once it
 * is whole, a fragment for another call can close its block without cutting it short. Holds three numbers, not the
 * text.
 */
final class JsonCompletion {

    private int depth;
    private boolean started;
    private boolean inString;
    private boolean escaped;
    private boolean closed;

    /** Scans one more fragment of the value. */
    void feed(CharSequence fragment) {
        for (int i = 0; i < fragment.length(); i++) {
            char c = fragment.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                started = true;
                depth++;
            } else if ((c == '}' || c == ']') && depth > 0) {
                depth--;
                closed |= depth == 0;
            }
        }
    }

    /** Whether a value was opened and every bracket of it has closed. */
    boolean complete() {
        return started && closed && depth == 0 && !inString;
    }
}
