package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relaygate settings} on a fresh embedded store: set, show, remove, with the same checks as the console's page
 * (one implementation, {@code ManagedSettingsAdmin}).
 */
class SettingsCliTest {

    @TempDir
    Path dataDir;

    private CliRunner.Result run(String... args) {
        return CliRunner.run(Map.of("RELAYGATE_DATA_DIR", dataDir.toString()), args);
    }

    @Test
    void aGroupIsGivenSettingsShownThemAndHasThemTakenAway() throws Exception {
        Path file = dataDir.resolve("dev.json");
        Files.writeString(file, "{\"model\":\"claude-sonnet-4-5\",\"env\":{\"A\":\"1\"}}");
        CliRunner.Result set = run("settings", "set", "--group", "dev", "--file", file.toString());
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("Group dev now gets these settings (checksum sha256:");

        CliRunner.Result shown = run("settings", "show", "--group", "dev");
        assertThat(shown.code()).as(shown.err()).isZero();
        assertThat(new ObjectMapper()
                        .readTree(shown.out())
                        .path("env")
                        .path("A")
                        .asText())
                .isEqualTo("1");

        Files.writeString(file, "[1, 2]");
        CliRunner.Result array = run("settings", "set", "--group", "dev", "--file", file.toString());
        assertThat(array.code()).isNotZero();
        assertThat(array.err()).contains("is not a JSON object");
        CliRunner.Result badGroup = run("settings", "set", "--group", "a\tb", "--file", file.toString());
        assertThat(badGroup.code()).isNotZero();

        assertThat(run("settings", "remove", "--group", "dev").code()).isZero();
        CliRunner.Result again = run("settings", "remove", "--group", "dev");
        assertThat(again.code()).isNotZero();
        assertThat(again.err()).contains("--group: dev has no settings");
    }
}
