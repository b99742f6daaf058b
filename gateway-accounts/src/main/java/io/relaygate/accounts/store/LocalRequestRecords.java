package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.accounts.ledger.RequestRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Per-request records of the embedded store: JSON lines appended to {@code requests/requests.jsonl} under the data
 * folder, which rotates to {@code requests.1.jsonl} … {@code requests.<files-1>.jsonl} once it passes its size bound,
 * the oldest file dropped; so at most {@code files × maxFileBytes} are kept. Appends and reads run on the store's I/O
 * thread, never on the caller's. A line cut short by a crash (or being written while the CLI reads) is skipped.
 */
final class LocalRequestRecords implements RequestRecords {

    static final long DEFAULT_MAX_FILE_BYTES = 8L * 1024 * 1024;
    static final int DEFAULT_FILES = 4;

    private final Path dir;
    private final Executor io;
    private final long maxFileBytes;
    private final int files;

    LocalRequestRecords(Path dataDir, Executor io, long maxFileBytes, int files) {
        this.dir = requireNonNull(dataDir, "dataDir").resolve("requests");
        this.io = requireNonNull(io, "io");
        if (maxFileBytes < 1 || files < 1) {
            throw new IllegalArgumentException(
                    "maxFileBytes: " + maxFileBytes + ", files: " + files + " (expected: both > 0)");
        }
        this.maxFileBytes = maxFileBytes;
        this.files = files;
    }

    private Path file(int n) {
        return dir.resolve(n == 0 ? "requests.jsonl" : "requests." + n + ".jsonl");
    }

    @Override
    public CompletionStage<Void> append(List<RequestRecord> batch) {
        List<RequestRecord> copy = List.copyOf(batch);
        return CompletableFuture.runAsync(() -> appendNow(copy), io);
    }

    private void appendNow(List<RequestRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            StringBuilder lines = new StringBuilder(batch.size() * 768);
            for (RequestRecord r : batch) {
                lines.append(RequestRecords.json().writeValueAsString(r)).append('\n');
            }
            Files.createDirectories(dir);
            Path current = file(0);
            if (Files.exists(current) && Files.size(current) >= maxFileBytes) {
                rotate();
            }
            Files.writeString(
                    current,
                    lines,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** requests.jsonl → .1 → .2 …; the last one is dropped. */
    private void rotate() throws IOException {
        Files.deleteIfExists(file(files - 1));
        for (int n = files - 2; n >= 0; n--) {
            if (Files.exists(file(n))) {
                Files.move(file(n), file(n + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public CompletionStage<List<RequestRecord>> read(RequestQuery query) {
        return CompletableFuture.supplyAsync(() -> readNow(query), io);
    }

    private List<RequestRecord> readNow(RequestQuery query) {
        List<RequestRecord> out = new ArrayList<>();
        for (int n = 0; n < files; n++) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file(n), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int i = lines.size() - 1; i >= 0; i--) {
                RequestRecord r = parse(lines.get(i));
                if (r != null && query.matches(r)) {
                    out.add(r);
                    if (out.size() == query.limit()) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    private static @Nullable RequestRecord parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return RequestRecords.json().readValue(line, RequestRecord.class);
        } catch (IOException e) {
            return null;
        }
    }
}
