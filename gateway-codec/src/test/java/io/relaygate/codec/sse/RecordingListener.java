package io.relaygate.codec.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Keeps a copy of every event, as the parser's data array is only valid during the call. */
final class RecordingListener implements SseListener {

    record Event(String name, String data) {}

    final List<Event> events = new ArrayList<>();
    final List<String> names = new ArrayList<>();

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        events.add(new Event(eventName, new String(data, offset, length, StandardCharsets.UTF_8)));
        names.add(eventName);
    }
}
