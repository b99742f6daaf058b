package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreException;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.StoreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store when its disk fails it (issue 18): a full disk and a read-only one give a clear error and leave
 * the file as it was; a process killed with SIGKILL while writing leaves a store that the next start reads whole.
 * The full and read-only disks are real: a 64 KiB tmpfs mounted for the test (the tests run as root, as `.ci/run`
 * does on its machine).
 */
class EmbeddedStoreFaultsTest {

    private static final Map<String, String> ENV = Map.of("RELAYGATE_SECRET_KEY", secret());

    @TempDir
    Path tmp;

    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", "-l", mounted.toString());
        }
    }

    @Test
    void aFullDiskRefusesTheWriteClearlyAndKeepsWhatWasStored() throws Exception {
        Path dir = mount("size=64k");
        int stored = 0;
        StoreException refused = null;
        try (Store store = open(dir)) {
            ApiKeyService keys = new ApiKeyService(store.keys());
            for (int i = 0; i < 2000 && refused == null; i++) {
                try {
                    keys.create("key-" + i + "-" + "x".repeat(40), KeyRules.NONE)
                            .toCompletableFuture()
                            .join();
                    stored++;
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(StoreException.class);
                    refused = (StoreException) e.getCause();
                }
            }
        }
        assertThat(refused).as("the tmpfs filled up").isNotNull();
        assertThat(refused.getMessage())
                .as("names the file and the cause")
                .contains("keys.json")
                .containsIgnoringCase("no space left");
        assertThat(stored).isPositive();
        assertNoTemporaryFiles(dir);
        try (Store again = open(dir)) {
            List<ApiKey> all = again.keys().list().toCompletableFuture().join();
            assertThat(all)
                    .as("every key stored before the disk filled, none half-written")
                    .hasSize(stored);
        }
    }

    @Test
    void aReadOnlyDiskRefusesTheWriteClearlyAndStillServesReads() throws Exception {
        Path dir = mount("size=1m");
        String name;
        try (Store store = open(dir)) {
            name = new ApiKeyService(store.keys())
                    .create("before", KeyRules.NONE)
                    .toCompletableFuture()
                    .join()
                    .key()
                    .name();
        }
        run("mount", "-o", "remount,ro", dir.toString());
        try (Store store = open(dir)) {
            assertThat(store.keys().findByName(name).toCompletableFuture().join())
                    .as("reads still work")
                    .isPresent();
            assertThatThrownBy(() -> new ApiKeyService(store.keys())
                            .create("after", KeyRules.NONE)
                            .toCompletableFuture()
                            .join())
                    .hasCauseInstanceOf(StoreException.class)
                    .hasMessageContaining("keys.json")
                    .hasMessageContaining("Read-only file system");
        }
    }

    @Test
    void aProcessKilledWhileWritingLeavesAStoreTheNextStartReadsWhole() throws Exception {
        Path dir = tmp.resolve("store");
        Files.createDirectories(dir);
        for (int round = 0; round < 3; round++) {
            Process writer = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            StoreWriter.class.getName(),
                            dir.toString(),
                            ENV.get("RELAYGATE_SECRET_KEY"),
                            "r" + round)
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("writer-" + round + ".log").toFile())
                    .start();
            // let it write for a while, then kill it wherever it is
            awaitWrites(dir, round);
            writer.destroyForcibly();
            assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
            try (Store store = open(dir)) {
                List<ApiKey> keys = store.keys().list().toCompletableFuture().join();
                assertThat(keys)
                        .as("round %s: the store opens and lists", round)
                        .isNotEmpty();
                assertThat(keys).allSatisfy(k -> assertThat(k.name()).matches("r[0-9]+-[0-9]+"));
            }
        }
        assertNoTemporaryFilesExceptAbandoned(dir);
    }

    /** Waits until the writer of {@code round} has stored a few keys (its log says so). */
    private void awaitWrites(Path dir, int round) throws Exception {
        Path log = tmp.resolve("writer-" + round + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("wrote 20")) {
                Thread.sleep(new SecureRandom().nextInt(200));
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the writer did not write: " + (Files.exists(log) ? Files.readString(log) : "-"));
    }

    private static void assertNoTemporaryFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("a failed write leaves no temporary file behind")
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /** A process killed between creating its temporary file and renaming it leaves that file; nothing else. */
    private static void assertNoTemporaryFilesExceptAbandoned(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .allMatch(n -> !n.endsWith(".tmp") || n.startsWith("keys.json."));
        }
    }

    private static Store open(Path dir) {
        return StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dir, null, StoreConfig.DEFAULT_KEY_PREFIX), ENV);
    }

    private Path mount(String options) throws Exception {
        Path dir = tmp.resolve("disk");
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        mounted = dir;
        return dir;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("%s (this test mounts a small tmpfs and needs root, as on CI): %s", String.join(" ", command), out)
                .isZero();
    }

    private static String secret() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** The killed process: creates keys as fast as it can, saying how many it wrote. */
    public static final class StoreWriter {

        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            try (Store store = StoreFactory.open(
                    new StoreConfig(StoreConfig.LOCAL, dir, null, StoreConfig.DEFAULT_KEY_PREFIX),
                    Map.of("RELAYGATE_SECRET_KEY", args[1]))) {
                ApiKeyService keys = new ApiKeyService(store.keys());
                for (int i = 0; ; i++) {
                    keys.create(args[2] + "-" + i, KeyRules.NONE)
                            .toCompletableFuture()
                            .join();
                    System.out.println("wrote " + (i + 1));
                }
            }
        }
    }
}
