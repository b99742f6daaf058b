package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelaygateMainTest {

    @TempDir
    Path dataDir;

    record Result(int code, String out, String err) {}

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RelaygateMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("RELAYGATE_DATA_DIR", dataDir.toString()));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandAndSubcommandHasHelp() {
        Map<List<String>, String> helps = Map.of(
                List.of("--help"), "Usage: relaygate <command>",
                List.of("serve", "--help"), "Usage: relaygate serve",
                List.of("keys", "--help"), "Usage: relaygate keys",
                List.of("keys", "create", "--help"), "Usage: relaygate keys create",
                List.of("keys", "list", "-h"), "Usage: relaygate keys list",
                List.of("keys", "disable", "--help"), "Usage: relaygate keys disable",
                List.of("accounts", "--help"), "Usage: relaygate accounts",
                List.of("accounts", "add", "--help"), "Usage: relaygate accounts add",
                List.of("accounts", "list", "--help"), "Usage: relaygate accounts list",
                List.of("usage", "--help"), "Usage: relaygate usage");
        helps.forEach((args, expected) -> {
            Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as("%s exits 0", args).isZero();
            assertThat(r.out()).as("%s prints its usage", args).startsWith(expected);
            assertThat(r.err()).isEmpty();
        });
        assertThat(run("keys", "create", "--help").out()).contains("--window").contains("--clients");
        assertThat(run("accounts", "add", "--help").out())
                .contains("--api-key-env")
                .contains("--model-map");
        assertThat(dataDir.toFile().list()).as("help touches no store").isEmpty();
    }

    @Test
    void badArgumentsExitTwoWithOneLineNamingTheArgument() {
        Map<List<String>, String> cases = new HashMap<>();
        cases.put(List.of(), "missing command");
        cases.put(List.of("frobnicate"), "frobnicate");
        cases.put(List.of("keys"), "missing subcommand");
        cases.put(List.of("keys", "rotate"), "keys rotate");
        cases.put(List.of("keys", "create"), "--name");
        cases.put(List.of("keys", "create", "--name"), "--name: missing value");
        cases.put(List.of("keys", "create", "--name", "has space"), "name: has space");
        cases.put(List.of("keys", "create", "--name", "a", "--concurrency", "many"), "--concurrency: many");
        cases.put(List.of("keys", "create", "--name", "a", "--concurrency", "0"), "concurrency: 0");
        cases.put(List.of("keys", "create", "--name", "a", "--requests", "5"), "--requests");
        cases.put(List.of("keys", "create", "--name", "a", "--window", "1m"), "--window");
        cases.put(List.of("keys", "create", "--name", "a", "--requests", "5", "--window", "soon"), "--window: soon");
        cases.put(List.of("keys", "create", "--name", "a", "--daily-cost", "-3"), "--daily-cost");
        cases.put(List.of("keys", "create", "--name", "a", "--clients", "vim"), "--clients: vim");
        cases.put(List.of("keys", "create", "--name", "a", "--expires", "someday"), "--expires: someday");
        cases.put(List.of("keys", "create", "--name", "a", "--expires", "2001-01-01"), "--expires");
        cases.put(List.of("keys", "create", "--name", "a", "--account", "x", "--group", "y"), "--account");
        cases.put(List.of("keys", "create", "--name", "a", "--bogus", "1"), "--bogus");
        cases.put(List.of("keys", "create", "--name", "a", "--name", "b"), "--name: given more than once");
        cases.put(List.of("keys", "list", "extra"), "extra");
        cases.put(List.of("keys", "disable"), "missing key name");
        cases.put(List.of("accounts", "add", "--name", "a", "--base-url", "https://x"), "--kind");
        cases.put(
                List.of("accounts", "add", "--kind", "nope", "--name", "a", "--base-url", "https://x"), "--kind: nope");
        cases.put(List.of("accounts", "add", "--kind", "anthropic-api", "--name", "a"), "--base-url");
        cases.put(
                List.of("accounts", "add", "--kind", "anthropic-api", "--name", "a", "--base-url", "ftp://x"),
                "base-url: ftp://x");
        cases.put(
                List.of(
                        "accounts",
                        "add",
                        "--kind",
                        "anthropic-api",
                        "--name",
                        "a",
                        "--base-url",
                        "https://x",
                        "--priority",
                        "high"),
                "--priority: high");
        cases.put(
                List.of(
                        "accounts",
                        "add",
                        "--kind",
                        "anthropic-api",
                        "--name",
                        "a",
                        "--base-url",
                        "https://x",
                        "--api-key-env",
                        "NO_SUCH_VARIABLE"),
                "--api-key-env: NO_SUCH_VARIABLE");
        cases.put(
                List.of(
                        "accounts",
                        "add",
                        "--kind",
                        "anthropic-api",
                        "--name",
                        "a",
                        "--base-url",
                        "https://x",
                        "--proxy",
                        "ftp://p"),
                "proxy: ftp://p");
        cases.put(
                List.of(
                        "accounts",
                        "add",
                        "--kind",
                        "anthropic-api",
                        "--name",
                        "a",
                        "--base-url",
                        "https://x",
                        "--model-map",
                        "haiku"),
                "--model-map: haiku");
        cases.put(List.of("accounts", "remove"), "accounts remove");
        cases.put(List.of("serve", "--config", "/no/such/relaygate.yaml"), "--config: /no/such/relaygate.yaml");
        cases.put(List.of("usage", "--key"), "--key: missing value");
        cases.put(List.of("keys", "list", "--json=yes"), "--json: takes no value");

        cases.forEach((args, named) -> {
            Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as("%s exits 2; stderr: %s", args, r.err()).isEqualTo(2);
            assertThat(r.err()).as("%s names the argument", args).contains(named);
            assertThat(r.err().strip()).as("%s: one line", args).doesNotContain("\n");
            assertThat(r.err())
                    .as("%s: no stack trace", args)
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
            assertThat(r.out()).as("%s prints nothing on stdout", args).isEmpty();
        });
    }

    @Test
    void aBrokenEnvironmentSettingIsAConfigErrorNamingIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RelaygateMain.run(
                new String[] {"keys", "list"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("RELAYGATE_DATA_DIR", dataDir.toString(), "RELAYGATE_SECRET_KEY", "tooShort"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("RELAYGATE_SECRET_KEY")
                .doesNotContain("tooShort");
    }

    @Test
    void serveListensSaysWhereAndWhichStoreThenClosesWhenInterrupted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger code = new AtomicInteger(-1);
        Map<String, String> env = Map.of("RELAYGATE_DATA_DIR", dataDir.toString(), "RELAYGATE_PORT", "0");
        Thread serving = new Thread(() -> code.set(RelaygateMain.run(
                new String[] {"serve"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env)));
        serving.start();

        Pattern listening = Pattern.compile("Relaygate listening on http://127\\.0\\.0\\.1:(\\d+)");
        for (int i = 0; i < 200 && !out.toString(StandardCharsets.UTF_8).contains("Admin:"); i++) {
            assertThat(serving.isAlive()).as("serve stopped early: %s", err).isTrue();
            Thread.sleep(50);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        Matcher m = listening.matcher(printed);
        assertThat(m.find()).as("prints where it listens: %s", printed).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(printed).contains("Store: embedded store in " + dataDir);
        assertThat(printed).contains("Health: http://127.0.0.1:" + port + "/healthz", "Admin: relaygate keys");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            assertThat(s.isConnected()).as("the gateway accepts connections").isTrue();
        }

        serving.interrupt();
        serving.join(10_000);

        assertThat(serving.isAlive()).as("serve returns once interrupted").isFalse();
        assertThat(code).as("clean exit").hasValue(0);
        assertThat(refused(port)).as("the port is closed again").isTrue();
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
