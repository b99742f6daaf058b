package io.relaygate.codec.skim;

import org.jspecify.annotations.Nullable;

/**
 * Concatenates text up to a cap counted in UTF-8 bytes, cutting only between code points. The texts feed a session
 * hash, so a prefix is as good as the whole and a huge pasted prompt costs no more than the cap.
 */
final class TextCollector {

    private final int maxBytes;
    private final StringBuilder text = new StringBuilder();
    private int bytes;
    private boolean full;

    TextCollector(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    void append(char[] chars, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && !full) {
            char c = chars[i];
            int units = 1;
            int size;
            if (c < 0x80) {
                size = 1;
            } else if (c < 0x800) {
                size = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                units = 2;
                size = 4;
            } else {
                size = 3;
            }
            if (bytes + size > maxBytes) {
                full = true;
                return;
            }
            text.append(chars, i, units);
            bytes += size;
            i += units;
        }
    }

    void append(String s) {
        append(s.toCharArray(), 0, s.length());
    }

    void appendAll(TextCollector other) {
        String s = other.text.toString();
        append(s);
    }

    void clear() {
        text.setLength(0);
        bytes = 0;
        full = false;
    }

    /** The collected text, or null when nothing was collected. */
    @Nullable
    String result() {
        return text.length() == 0 ? null : text.toString();
    }
}
