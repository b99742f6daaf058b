package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.WriteId;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The usage recorder's local journal: what a killed process has not written to the store yet survives it, and the
 * next start writes it, once.
 *
 * <p>Lines, appended to numbered segment files ({@code 000000000042.log}):
 *
 * <ul>
 *   <li>{@code R <rid> <record>}: a finished request's usage, before its outcome is reported (so before the response's
 *       end reaches the client);
 *   <li>{@code W <seq> <spend> <record> <rids>}: a store write formed (a batch of records, or a spend), before it is
 *       sent; its {@link WriteId} makes it idempotent in the store;
 *   <li>{@code D <seq>}: the store acknowledged the write;
 *   <li>{@code M <next seq> <superseded segment>}: a segment's header; a segment written at start-up carries everything
 *       still open of the older ones, which it supersedes.
 * </ul>
 *
 * <p>Durability: a line is written with one {@code write(2)} and no {@code fsync}: it survives the process being
 * killed (the kernel has it), not the machine losing power. A finished request's {@code R} line and its spend's
 * {@code W} line go in one {@code write(2)}. {@code D} lines wait, in memory, for the next line written or for the
 * next write id handed out ({@link #id}), whichever comes first: a killed process may lose the last few, and the next
 * start then sends those writes again, which the store skips by their ids. It never loses one the store relies on:
 * a write id's low mark (below which the store forgets applied numbers) moves past an acknowledged write only once its
 * {@code D} line is written. Segments are deleted oldest first once nothing in them is
 * open, so a write's line is never gone while a record it covers is still readable. Not thread-safe by itself: the
 * recorder calls it under its lock.
 */
final class UsageJournal implements AutoCloseable {

    /** A write still to be acknowledged, and the records it covers. */
    record Write(long seq, boolean spend, UsageRecord record, long[] rids) {}

    /** A record not in any write yet, with its id. */
    record Raw(long rid, UsageRecord record) {}

    /** What was open when the journal was opened: to be written again. */
    record Replay(List<Write> writes, List<Raw> records) {}

    static final long SEGMENT_BYTES = 4L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WRITER_FILE = "writer";

    private final Path dir;
    private final String writer;
    private final Replay replayed;
    private long nextSeq;
    private long nextRid;
    private long segment;
    private FileChannel out;
    private long segmentBytes;
    /** Per segment: lines still open in it (records not in an acknowledged write, writes not acknowledged). */
    private final TreeMap<Long, long[]> open = new TreeMap<>();

    private final Map<Long, Long> ridSegment = new HashMap<>();
    private final Map<Long, Write> writes = new LinkedHashMap<>();
    private final Map<Long, Long> writeSegment = new HashMap<>();
    /** {@code D} lines not written yet: they go with the next line, or before the next write id ({@link #id}). */
    private final StringBuilder doneLines = new StringBuilder();

    private final FileChannel lockFile;
    private final java.nio.channels.FileLock lock;

    private UsageJournal(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        // one process per journal: two writers interleaving segments would replay each other's records
        this.lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock held;
        try {
            held = lockFile.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockFile.close();
            throw new IOException("in use by another recorder (give each instance its own store.dataDir)");
        }
        this.lock = held;
        Path w = dir.resolve(WRITER_FILE);
        if (!Files.exists(w)) {
            Path tmp = dir.resolve(WRITER_FILE + ".tmp");
            Files.writeString(tmp, Ids.random(12));
            Files.move(tmp, w, StandardCopyOption.ATOMIC_MOVE);
        }
        this.writer = Files.readString(w).strip();
        List<Path> old = segments();
        Map<Long, Raw> raw = new LinkedHashMap<>();
        Map<Long, Write> pending = new LinkedHashMap<>();
        long maxSeq = -1;
        long superseded = -1;
        for (Path p : old) {
            long n = number(p);
            if (n <= superseded) {
                continue;
            }
            try (Stream<String> lines = Files.lines(p, StandardCharsets.UTF_8)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    String[] f = line.split(" ", 5);
                    if (f.length < 2 || line.isEmpty()) {
                        continue; // a line cut by the kill: its write(2) never completed, nothing was reported
                    }
                    try {
                        switch (f[0]) {
                            case "M" -> {
                                maxSeq = Math.max(maxSeq, Long.parseLong(f[1]) - 1);
                                long s = Long.parseLong(f[2]);
                                if (s >= 0 && s > superseded) {
                                    superseded = s;
                                    raw.clear();
                                    pending.clear();
                                }
                            }
                            case "R" -> raw.put(Long.parseLong(f[1]), new Raw(Long.parseLong(f[1]), decode(f[2])));
                            case "W" -> {
                                long seq = Long.parseLong(f[1]);
                                long[] rids = rids(f[4]);
                                for (long rid : rids) {
                                    raw.remove(rid);
                                }
                                pending.put(seq, new Write(seq, f[2].equals("1"), decode(f[3]), rids));
                                maxSeq = Math.max(maxSeq, seq);
                            }
                            case "D" -> pending.remove(Long.parseLong(f[1]));
                            default -> {}
                        }
                    } catch (RuntimeException cut) {
                        // the last line of a killed process may be incomplete; it was never acknowledged to anyone
                    }
                }
            }
        }
        // never reuse a sequence number, even if every segment was lost
        this.nextSeq = Math.max(maxSeq + 1, System.currentTimeMillis() * 1000);
        long lastOld = old.isEmpty() ? -1 : number(old.get(old.size() - 1));
        this.segment = lastOld + 1;
        Path tmp = dir.resolve("replay.tmp");
        List<Write> again = new ArrayList<>(pending.size());
        List<Raw> records = new ArrayList<>(raw.size());
        try (FileChannel f = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            this.out = f;
            writeLine("M " + nextSeq + " " + lastOld);
            for (Write x : pending.values()) {
                // the records a write covers are in the write itself: they need no lines of their own
                Write kept = new Write(x.seq(), x.spend(), x.record(), new long[0]);
                writeLine(writeLineOf(kept));
                again.add(kept);
            }
            for (Raw r : raw.values()) {
                Raw kept = new Raw(nextRid++, r.record());
                writeLine("R " + kept.rid() + " " + encode(kept.record()));
                records.add(kept);
            }
            f.force(true);
        }
        Path first = segmentPath(segment);
        Files.move(tmp, first, StandardCopyOption.ATOMIC_MOVE);
        for (Path p : old) {
            Files.deleteIfExists(p);
        }
        this.out = FileChannel.open(first, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        this.segmentBytes = Files.size(first);
        long[] counts = new long[] {0};
        open.put(segment, counts);
        for (Write x : again) {
            writes.put(x.seq(), x);
            writeSegment.put(x.seq(), segment);
            counts[0]++;
        }
        for (Raw r : records) {
            ridSegment.put(r.rid(), segment);
            counts[0]++;
        }
        this.replayed = new Replay(List.copyOf(again), List.copyOf(records));
    }

    /** Opens (or creates) the journal in {@code dir}, reading what a previous process left open. */
    static UsageJournal open(Path dir) {
        try {
            return new UsageJournal(requireNonNull(dir, "dir"));
        } catch (IOException e) {
            throw new UncheckedIOException("usage journal " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What the previous process left open; written again by the recorder. */
    Replay replayed() {
        return replayed;
    }

    /** Journals a finished request's usage; returns its id. */
    long appendRecord(UsageRecord r) {
        long rid = nextRid++;
        append("R " + rid + " " + encode(r));
        ridSegment.put(rid, segment);
        open.get(segment)[0]++;
        return rid;
    }

    /**
     * Journals a finished request's usage and the spend that counts it against its key's limits, in one {@code
     * write(2)}; returns the record's id and the spend's sequence number.
     */
    long[] appendRecordAndSpend(UsageRecord record, UsageRecord spend) {
        long rid = nextRid;
        long seq = nextSeq;
        Write w = new Write(seq, true, spend, new long[0]);
        append("R " + rid + " " + encode(record) + "\n" + writeLineOf(w));
        nextRid++;
        nextSeq++;
        ridSegment.put(rid, segment);
        writes.put(seq, w);
        writeSegment.put(seq, segment);
        open.get(segment)[0] += 2;
        return new long[] {rid, seq};
    }

    /** Journals a store write about to be sent; returns its sequence number. */
    long appendWrite(boolean spend, UsageRecord r, long[] rids) {
        long seq = nextSeq++;
        Write w = new Write(seq, spend, r, rids);
        append(writeLineOf(w));
        writes.put(seq, w);
        writeSegment.put(seq, segment);
        open.get(segment)[0]++;
        return seq;
    }

    /**
     * The id the store deduplicates write {@code seq} by. Its low mark may have moved past writes acknowledged since
     * the last line was written, so their {@code D} lines are written first.
     */
    WriteId id(long seq) {
        if (doneLines.length() > 0) {
            try {
                writeLine(null);
            } catch (IOException e) {
                throw new UncheckedIOException("usage journal " + dir + ": " + e.getMessage(), e);
            }
        }
        long low = writes.isEmpty()
                ? seq
                : Math.min(seq, writes.keySet().iterator().next());
        return new WriteId(writer, seq, low);
    }

    /** The store has write {@code seq}: its records are safe, and segments with nothing open go. */
    void done(long seq) {
        Write w = writes.remove(seq);
        if (w == null) {
            return;
        }
        // written with the next line, or before the next write id (id): a lost one only makes a write go again
        doneLines.append("D ").append(seq).append('\n');
        close(writeSegment.remove(seq));
        for (long rid : w.rids()) {
            close(ridSegment.remove(rid));
        }
        trim();
    }

    /** Writes still to be acknowledged. */
    int openWrites() {
        return writes.size();
    }

    private void close(@Nullable Long seg) {
        if (seg != null) {
            open.get(seg)[0]--;
        }
    }

    /** Deletes the oldest segments while nothing in them is open (never the current one). */
    private void trim() {
        while (open.size() > 1) {
            Map.Entry<Long, long[]> oldest = open.firstEntry();
            if (oldest.getValue()[0] > 0) {
                return;
            }
            open.remove(oldest.getKey());
            try {
                Files.deleteIfExists(segmentPath(oldest.getKey()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void append(String line) {
        try {
            if (segmentBytes >= SEGMENT_BYTES) {
                out.close();
                segment++;
                out = FileChannel.open(
                        segmentPath(segment),
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
                segmentBytes = 0;
                open.put(segment, new long[] {0});
                writeLine("M " + nextSeq + " -1");
            }
            writeLine(line);
        } catch (IOException e) {
            throw new UncheckedIOException("usage journal " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the {@code D} lines waiting, then {@code line} (if any), in one {@code write(2)}. */
    private void writeLine(@Nullable String line) throws IOException {
        String text;
        if (doneLines.length() == 0) {
            text = line + "\n";
        } else {
            if (line != null) {
                doneLines.append(line).append('\n');
            }
            text = doneLines.toString();
            doneLines.setLength(0);
        }
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        segmentBytes += b.remaining();
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static String writeLineOf(Write w) {
        StringBuilder rids = new StringBuilder();
        for (long rid : w.rids()) {
            rids.append(rids.length() == 0 ? "" : ",").append(rid);
        }
        return "W " + w.seq() + " " + (w.spend() ? "1" : "0") + " " + encode(w.record()) + " "
                + (rids.length() == 0 ? "-" : rids);
    }

    private static long[] rids(String s) {
        if (s.equals("-")) {
            return new long[0];
        }
        String[] parts = s.split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }

    /** One record as a JSON array without spaces (the line's fields are separated by spaces). */
    static String encode(UsageRecord r) {
        ArrayNode a = JSON.createArrayNode();
        a.add(r.keyId()).add(r.accountId()).add(r.model());
        UsageCounters u = r.counters();
        a.addArray()
                .add(u.requests())
                .add(u.errors())
                .add(u.inputTokens())
                .add(u.outputTokens())
                .add(u.cacheCreationTokens())
                .add(u.cacheReadTokens())
                .add(u.costMicros());
        a.add(r.at().getEpochSecond()).add(r.at().getNano());
        Duration w = r.tokenWindow();
        a.add(w == null ? -1 : w.toMillis());
        a.add(r.immediate()).add(r.leaseId()).add(r.limitsCounted());
        ArrayNode limits = a.addArray();
        r.costLimits().forEach(p -> limits.add(p.name()));
        try {
            // Jackson escapes every control character and writes no space outside strings; spaces inside a model
            // name are escaped below so a line splits on its separators only
            return JSON.writeValueAsString(a).replace(" ", "\\u0020");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static UsageRecord decode(String s) {
        try {
            JsonNode a = JSON.readTree(s);
            JsonNode c = a.get(3);
            long w = a.get(6).asLong();
            return new UsageRecord(
                    a.get(0).asText(),
                    text(a.get(1)),
                    text(a.get(2)),
                    new UsageCounters(
                            c.get(0).asLong(),
                            c.get(1).asLong(),
                            c.get(2).asLong(),
                            c.get(3).asLong(),
                            c.get(4).asLong(),
                            c.get(5).asLong(),
                            c.get(6).asLong()),
                    Instant.ofEpochSecond(a.get(4).asLong(), a.get(5).asLong()),
                    w < 0 ? null : Duration.ofMillis(w),
                    a.get(7).asBoolean(),
                    text(a.get(8)),
                    a.get(9).asBoolean(),
                    costLimits(a.get(10)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line written before records named their key's cost limits: its spend counted the cost in all three. */
    private static java.util.Set<Period> costLimits(@Nullable JsonNode n) {
        if (n == null || !n.isArray()) {
            return UsageRecord.ALL_COST_LIMITS;
        }
        java.util.Set<Period> out = java.util.EnumSet.noneOf(Period.class);
        n.forEach(p -> out.add(Period.valueOf(p.asText())));
        return out;
    }

    private static @Nullable String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("\\d{12}\\.log"))
                    .sorted()
                    .toList();
        }
    }

    private static long number(Path p) {
        String name = p.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - 4));
    }

    private Path segmentPath(long n) {
        return dir.resolve(String.format(java.util.Locale.ROOT, "%012d.log", n));
    }

    /** Closes without writing the {@code D} lines still in memory, as a killed process would (tests of the replay). */
    void abandon() {
        doneLines.setLength(0);
        close();
    }

    @Override
    public void close() {
        try {
            if (doneLines.length() > 0) {
                writeLine(null);
            }
            out.close();
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
