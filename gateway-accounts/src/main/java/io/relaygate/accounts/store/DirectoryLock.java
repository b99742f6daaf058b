package io.relaygate.accounts.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes read-modify-write of a data folder across processes (the gateway and the CLI) with an OS file lock on
 * {@code <dir>/store.lock}. File locks belong to the whole JVM, and a second lock on the same file from the same JVM
 * throws {@code OverlappingFileLockException} (FileChannel Javadoc), so a per-path lock in this process comes first.
 * Not reentrant: an action must not take the lock again.
 */
final class DirectoryLock {

    static final String LOCK_FILE = "store.lock";

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private DirectoryLock() {}

    interface IoAction<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} holding the lock of {@code dir}, which must exist. Blocks: never call on an event loop. */
    static <T> T withLock(Path dir, IoAction<T> action) throws IOException {
        Path lockFile = dir.toRealPath().resolve(LOCK_FILE);
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        local.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            return action.run();
        } finally {
            local.unlock();
        }
    }
}
