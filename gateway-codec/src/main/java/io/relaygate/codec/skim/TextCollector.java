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
        if (full) {
            return;
        }
        // Measure the run that fits under the cap, then append it in one call (one copy, not one per char).
        int end = offset + length;
        int i = offset;
        int size = bytes;
        // ASCII, nearly all prompt text: one byte per char, no per-char branching beyond the check.
        int asciiEnd = offset + Math.min(length, maxBytes - size);
        while (i < asciiEnd && chars[i] < 0x80) {
            i++;
        }
        size += i - offset;
        while (i < end) {
            char c = chars[i];
            int units = 1;
            int charBytes;
            if (c < 0x80) {
                charBytes = 1;
            } else if (c < 0x800) {
                charBytes = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                units = 2;
                charBytes = 4;
            } else {
                charBytes = 3;
            }
            if (size + charBytes > maxBytes) {
                full = true;
                break;
            }
            size += charBytes;
            i += units;
        }
        text.append(chars, offset, i - offset);
        bytes = size;
    }

    void append(String s) {
        append(s.toCharArray(), 0, s.length());
    }

    void appendAll(TextCollector other) {
        if (!full && bytes + other.bytes <= maxBytes) {
            // all of it fits: its byte count is known, no need to measure it again char by char
            text.append(other.text);
            bytes += other.bytes;
            return;
        }
        append(other.text.toString());
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
