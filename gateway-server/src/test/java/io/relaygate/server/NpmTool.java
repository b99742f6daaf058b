package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real client CLI from npm for the end-to-end tests, installed once into {@code ~/.cache/relaygate-e2e}. */
final class NpmTool {

    private NpmTool() {}

    /**
     * Installs {@code pkg@version} with npm unless already there; returns {@code node_modules/.bin/<bin>}.
     *
     * @param dirName the folder under the cache, one per package and version
     */
    static Path install(String pkg, String version, String bin, String dirName)
            throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "relaygate-e2e", dirName);
        Path exe = dir.resolve("node_modules/.bin/" + bin);
        if (Files.isExecutable(exe)) {
            return exe;
        }
        Files.createDirectories(dir);
        Process npm = new ProcessBuilder(
                        "npm",
                        "install",
                        "--no-audit",
                        "--no-fund",
                        "--loglevel=error",
                        "--prefix",
                        dir.toString(),
                        pkg + "@" + version)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("npm-install.log").toFile())
                .start();
        assertThat(npm.waitFor(10, TimeUnit.MINUTES)).as("npm install finished").isTrue();
        assertThat(npm.exitValue())
                .as("npm install of %s@%s (see %s)", pkg, version, dir.resolve("npm-install.log"))
                .isZero();
        assertThat(exe).isExecutable();
        return exe;
    }
}
