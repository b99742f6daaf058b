package io.relaygate.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The captured real-client traffic in {@code testdata/clients} of this repository, found from the working directory upward. */
final class Fixtures {

    private Fixtures() {}

    static Path clientsDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata/clients");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "testdata/clients not found above " + dir + " (expected at the repository root)");
    }

    static List<Path> files(String prefix, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(clientsDir())) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
