package io.relaygate.server.admin;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Reads the admin changes back from {@code audit.log} (the file {@link Audit} writes through Logback's {@code AUDIT}
 * appender) for the console's audit page: the latest lines, newest first, as {@code {time, actor, action, target,
 * before, after}}. Only the file's last {@link #TAIL_BYTES} are read.
 */
final class AuditLog {

    static final int DEFAULT_LIMIT = 200;
    static final int MAX_LIMIT = 1000;
    static final int TAIL_BYTES = 1 << 20;

    private static final Pattern LINE =
            Pattern.compile("^(\\S+ \\S+) actor=\"([^\"]*)\" action=(\\S+) target=(\\S+) before=(.*) after=(.*)$");

    private AuditLog() {}

    static int limit(@Nullable String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text);
            if (n < 1 || n > MAX_LIMIT) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit: " + text + " (expected: 1 to " + MAX_LIMIT + ")");
        }
    }

    /** The latest {@code limit} changes; {@code file} is null when no audit file is configured. */
    static ObjectNode latest(int limit) {
        Path file = file();
        ObjectNode n = Views.JSON.createObjectNode();
        ArrayNode a = n.putArray("changes");
        if (file == null) {
            n.put("note", "no audit file is configured (Logback appender AUDIT)");
            return n;
        }
        List<String> lines = tail(file);
        Collections.reverse(lines);
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            ObjectNode o = a.addObject();
            o.put("time", m.group(1));
            o.put("actor", m.group(2));
            o.put("action", m.group(3));
            o.put("target", m.group(4));
            o.put("before", m.group(5));
            o.put("after", m.group(6));
            if (a.size() >= limit) {
                break;
            }
        }
        return n;
    }

    private static @Nullable Path file() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return null;
        }
        for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it =
                        context.getLogger("io.relaygate.audit").iteratorForAppenders();
                it.hasNext(); ) {
            if (it.next() instanceof FileAppender<?> f && f.getFile() != null) {
                return Path.of(f.getFile());
            }
        }
        return null;
    }

    private static List<String> tail(Path file) {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            String[] split = text.split("\n");
            for (int i = start > 0 ? 1 : 0; i < split.length; i++) {
                if (!split[i].isBlank()) {
                    lines.add(split[i]);
                }
            }
        } catch (IOException e) {
            // no audit file yet: no changes
        }
        return lines;
    }
}
