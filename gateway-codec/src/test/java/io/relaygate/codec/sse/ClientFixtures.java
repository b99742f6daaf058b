package io.relaygate.codec.sse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The captured real client traffic in {@code testdata/clients} of this repository (see its README), found by walking up from the
 * working directory (the module directory under Maven, where it is {@code ../testdata/clients}). Public
 * because the usage and skim tests of this module read the same files.
 */
public final class ClientFixtures {

    private static final Path RELATIVE = Paths.get("testdata", "clients");

    private ClientFixtures() {}

    /** The fixture directory; fails with the places searched when it is missing. */
    public static Path dir() {
        Path start = Paths.get("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            Path candidate = d.resolve(RELATIVE);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("client fixtures not found: no " + RELATIVE + " in " + start
                + " or any parent (expected ../testdata/clients from the module directory)");
    }

    /** Every captured stream, including the variants, sorted by path. */
    public static List<Path> sseFiles() {
        return files(".sse", true);
    }

    /** The captured request files (top level only). */
    public static List<Path> jsonFiles() {
        return files(".json", false);
    }

    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> files(String suffix, boolean recursive) {
        Path dir = dir();
        try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .collect(Collectors.toList());
            if (found.isEmpty()) {
                throw new IllegalStateException("no " + suffix + " files in " + dir);
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
