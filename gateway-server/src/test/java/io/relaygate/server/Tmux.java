package io.relaygate.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An interactive terminal program run in a detached tmux session on a server of its own (its own socket), for tests
 * that drive a CLI's screens as a person would: keys in, the visible screen out. tmux comes from Debian's packages
 * ({@code .ci/run} installs it when missing).
 */
final class Tmux implements AutoCloseable {

    private final String socket = "relaygate-" + UUID.randomUUID();
    private final String session = "s";

    private Tmux() {}

    /**
     * The environment of Claude Code in a terminal of its own: {@code home} as its home, a UTF-8 xterm, no telemetry,
     * no auto-update, no non-essential traffic (this machine has no internet), plus {@code extra}.
     */
    static Map<String, String> claudeCodeEnv(Path home, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("TERM", "xterm-256color");
        env.put("LANG", "C.UTF-8");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.putAll(extra);
        return env;
    }

    /** A stand-in for a browser in {@code dir}: a script that writes every address it is asked to open to {@code opened}. */
    static Path recordingBrowser(Path dir, Path opened) throws IOException {
        Path script = dir.resolve("browser.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> '" + opened + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** Starts {@code command} in {@code dir} with exactly {@code env}, on a 160 x 50 screen. */
    static Tmux start(Path dir, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        Tmux t = new Tmux();
        List<String> line = new ArrayList<>(List.of("env", "-i"));
        env.forEach((k, v) -> line.add(k + "=" + v));
        line.addAll(command);
        // keep the pane after the program exits, so a test can still read what it printed last
        t.tmux(
                "new-session",
                "-d",
                "-s",
                t.session,
                "-x",
                "160",
                "-y",
                "50",
                "-c",
                dir.toString(),
                String.join(" ", line.stream().map(Tmux::quote).toList()) + "; sleep 60");
        return t;
    }

    /** Sends keys by tmux name ({@code Enter}, {@code Down}) or as literal text. */
    void send(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Types {@code text} literally. */
    void type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", session, "-l", text);
    }

    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", session);
    }

    /** Waits until the screen shows {@code text}; fails with the screen when it does not within {@code within}. */
    String await(String text, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String screen = screen();
        while (!screen.contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the screen did not show \"" + text + "\" within " + within + ":\n" + screen);
            }
            Thread.sleep(200);
            screen = screen();
        }
        return screen;
    }

    /**
     * Moves a menu's cursor ({@code ❯}) with {@code key} until it is on {@code option}, on a screen that shows
     * {@code current}. Unlike {@link #advance}, a press is repeated only once the screen shows the cursor where it was
     * before the press, still, for a while: a press rendered late on a busy machine is not pressed again (in a
     * two-line menu a second press would move the cursor back, onto "No").
     */
    String select(String current, String option, Duration within, String key) throws IOException, InterruptedException {
        String screen = await(current, within);
        long deadline = System.nanoTime() + within.toNanos();
        while (!screen.contains("❯ " + option)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the cursor did not reach \"" + option + "\" within " + within + ":\n" + screen);
            }
            String before = cursorLine(screen);
            send(key);
            long settle = System.nanoTime() + within.toNanos() / 3;
            do {
                Thread.sleep(200);
                screen = screen();
            } while (before.equals(cursorLine(screen)) && System.nanoTime() < settle);
        }
        return screen;
    }

    /**
     * Removes folders a program in a terminal used (its home, its working folder). Not JUnit's {@code @TempDir}: the
     * program may still write its state for a moment after its terminal closed, which fails a strict removal of a
     * test that passed; this walks again until the folders are gone (about 5 s at most).
     */
    static void removeEventually(Path... dirs) throws InterruptedException {
        for (Path dir : dirs) {
            for (int attempt = 0; attempt < 50 && dir != null && Files.exists(dir); attempt++) {
                try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
                    all.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                } catch (IOException | java.io.UncheckedIOException e) {
                    // a file vanished or appeared while walking: walk again
                }
                Thread.sleep(100);
            }
        }
    }

    private static String cursorLine(String screen) {
        for (String line : screen.split("\n")) {
            if (line.contains("❯ ")) {
                return line.strip();
            }
        }
        return "";
    }

    /**
     * Sends {@code keys} on a screen that shows {@code current} until it shows {@code next}: keys typed while a
     * program redraws (a busy machine) can be lost, and a person would press again. At most three presses.
     */
    String advance(String current, String next, Duration within, String... keys)
            throws IOException, InterruptedException {
        await(current, within);
        for (int attempt = 0; ; attempt++) {
            send(keys);
            long deadline = System.nanoTime() + within.toNanos() / 3;
            String screen = screen();
            while (!screen.contains(next) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                screen = screen();
            }
            if (screen.contains(next) || attempt == 2 || !screen.contains(current)) {
                return await(next, within);
            }
        }
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary(), "-L", socket));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tmux", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tmux " + String.join(" ", args) + " hung");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String binary() {
        for (String p : List.of("/usr/bin/tmux", "/usr/local/bin/tmux")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new AssertionError("this test drives an interactive CLI in tmux; install it (apt-get install tmux)");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder(binary(), "-L", socket, "kill-server")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor(10, TimeUnit.SECONDS);
    }
}
