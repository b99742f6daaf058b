package io.relaygate.codec.chat;

/**
 * One tool call of a Chat stream, by its {@code index}: what is known of it and where its arguments stand. Chunk
 * grammar lets a server open several calls in one chunk and then interleave their argument fragments, so a call that
 * is not the open block has its fragments held here until it can be sent as a whole.
 */
final class ChatToolCall {

    enum Phase {
        /** Not yet a block: fragments are held. */
        HELD,
        /** The open tool_use block: fragments stream through. */
        OPEN,
        /** Its block was closed; it is never reopened. */
        SENT
    }

    final int index;
    String id = "";
    String name = "";
    Phase phase = Phase.HELD;
    /** Argument fragments received while {@link Phase#HELD}. */
    final StringBuilder held = new StringBuilder();
    /** All argument fragments, to know when the arguments form one whole JSON value. */
    final JsonCompletion arguments = new JsonCompletion();

    ChatToolCall(int index) {
        this.index = index;
    }

    /** Takes the id and name from a fragment that carries them (the first one, as a rule). */
    void learn(String fragmentId, String fragmentName) {
        if (id.isEmpty()) {
            id = fragmentId;
        }
        if (name.isEmpty()) {
            name = fragmentName;
        }
    }
}
