package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the embedded store's folder for files another process (the CLI) replaced, and runs the action registered
 * for the file's name: the store's tables re-read it and the caches above them are told, instead of noticing at the
 * next timed check. Atomic replaces show as a create of the target name, a removed file (an operator document put back to the shipped one) as a delete. Where the platform has no watch service the
 * timed checks remain, which is also what covers events the platform dropped (an {@code OVERFLOW} runs every action).
 */
final class FileWatch implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(FileWatch.class);

    private final @Nullable WatchService watcher;

    private FileWatch(@Nullable WatchService watcher) {
        this.watcher = watcher;
    }

    /** Starts watching {@code dir} on a daemon thread; {@code actions} maps file names to what to run. */
    static FileWatch start(Path dir, Map<String, Runnable> actions) {
        requireNonNull(dir, "dir");
        Map<String, Runnable> byName = Map.copyOf(actions);
        WatchService watcher;
        try {
            watcher = FileSystems.getDefault().newWatchService();
            dir.register(
                    watcher,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.OVERFLOW);
        } catch (IOException | UnsupportedOperationException e) {
            logger.info("no file watch on {} ({}): other processes' changes show within the timed check", dir, e);
            return new FileWatch(null);
        }
        Thread t = new Thread(() -> run(watcher, byName), "relaygate-store-watch");
        t.setDaemon(true);
        t.start();
        return new FileWatch(watcher);
    }

    private static void run(WatchService watcher, Map<String, Runnable> actions) {
        try {
            while (true) {
                WatchKey key = watcher.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        actions.values().forEach(FileWatch::runQuietly);
                    } else if (event.context() instanceof Path p) {
                        Runnable action = actions.get(p.getFileName().toString());
                        if (action != null) {
                            runQuietly(action);
                        }
                    }
                }
                if (!key.reset()) {
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed with the store
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            logger.warn("a store file change handler failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                logger.debug("closing the file watch failed: {}", e.toString());
            }
        }
    }
}
