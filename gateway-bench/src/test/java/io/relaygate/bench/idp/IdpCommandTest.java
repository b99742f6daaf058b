package io.relaygate.bench.idp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IdpCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws InterruptedException {
        return IdpCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpNamesTheOptionsAndTheSecretsVariable() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--client-id", "--user", "MOCK_IDP_CLIENT_SECRET");
    }

    @Test
    void aUserWithoutAnEmailIsRefusedWithTheExpectedForm() throws Exception {
        assertThat(run("--client-id", "c", "--user", "alice")).isEqualTo(2);
        assertThat(err()).contains("NAME:EMAIL");
    }

    @Test
    void anUnknownOptionOrAMissingValueIsRefused() throws Exception {
        assertThat(run("--client", "c")).isEqualTo(2);
        assertThat(err()).contains("unknown option: --client");
        assertThat(run("--port")).isEqualTo(2);
        assertThat(err()).contains("--port: missing value");
        assertThat(run("--port", "x")).isEqualTo(2);
        assertThat(err()).contains("not a number");
    }
}
