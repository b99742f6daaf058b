package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.VertexCredentials;
import io.relaygate.core.config.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accounts add --kind bedrock|vertex}: credentials from the environment or the key file, stored encrypted. */
class CloudCliTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path dataDir;

    private record Result(int code, String out, String err) {}

    private Result run(Map<String, String> extraEnv, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("RELAYGATE_DATA_DIR", dataDir.toString());
        int code = RelaygateMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Account stored(String name) {
        try (Store store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dataDir, null, "x:"), Map.of())) {
            return store.accounts()
                    .findByName(name)
                    .toCompletableFuture()
                    .join()
                    .orElseThrow();
        }
    }

    @Test
    void aBedrockAccountTakesItsKeysFromTheEnvironmentAndDefaultsItsEndpoint() {
        Result r = run(
                Map.of("AWS_KEY", "AKIAEXAMPLE0001", "AWS_SECRET", SECRET),
                "accounts",
                "add",
                "--kind",
                "bedrock",
                "--name",
                "aws-1",
                "--region",
                "eu-central-1",
                "--aws-access-key-id-env",
                "AWS_KEY",
                "--aws-secret-access-key-env",
                "AWS_SECRET",
                "--inference-profile",
                "eu");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out() + r.err()).doesNotContain(SECRET);
        Account a = stored("aws-1");
        assertThat(a.kind()).isEqualTo(AccountKind.BEDROCK);
        assertThat(a.baseUrl()).isEqualTo("https://bedrock-runtime.eu-central-1.amazonaws.com");
        BedrockCredentials c = BedrockCredentials.parse(a.credential());
        assertThat(c.secretAccessKey()).isEqualTo(SECRET);
        assertThat(c.profilePrefix()).isEqualTo("eu");
        assertThat(Files.exists(dataDir)).isTrue();
    }

    @Test
    void aBedrockAccountWithoutKeysIsAUsageError() {
        Result r = run(Map.of(), "accounts", "add", "--kind", "bedrock", "--name", "aws-2", "--region", "us-east-1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--bedrock-api-key-env");
    }

    @Test
    void aVertexAccountReadsItsServiceAccountFile() throws Exception {
        Path file = dataDir.resolve("sa.json");
        Files.writeString(
                file,
                "{\"type\":\"service_account\",\"client_email\":\"gw@p.iam.gserviceaccount.com\",\"client_id\":\"1\",\"private_key_id\":\"k1\","
                        + "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMII\\n-----END PRIVATE KEY-----\\n\","
                        + "\"token_uri\":\"https://oauth2.googleapis.com/token\"}");
        Result r = run(
                Map.of(),
                "accounts",
                "add",
                "--kind",
                "vertex",
                "--name",
                "gcp-1",
                "--project",
                "my-proj",
                "--region",
                "us-east5",
                "--service-account-file",
                file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("PRIVATE KEY");
        Account a = stored("gcp-1");
        assertThat(a.baseUrl()).isEqualTo("https://us-east5-aiplatform.googleapis.com");
        VertexCredentials v = VertexCredentials.parse(a.credential());
        assertThat(v.project()).isEqualTo("my-proj");
        assertThat(v.clientEmail()).isEqualTo("gw@p.iam.gserviceaccount.com");
    }

    @Test
    void aFileThatIsNotAServiceAccountIsRefused() throws Exception {
        Path file = dataDir.resolve("other.json");
        Files.writeString(file, "{\"type\":\"authorized_user\"}");
        Result r = run(
                Map.of(),
                "accounts",
                "add",
                "--kind",
                "vertex",
                "--name",
                "gcp-2",
                "--project",
                "my-proj",
                "--region",
                "global",
                "--service-account-file",
                file.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("service_account");
    }

    @Test
    void accountsTestSignsABedrockRequestAndNamesTheAccountWhenTheSignatureIsRefused() throws Exception {
        try (io.relaygate.bench.mock.MockUpstream mock =
                io.relaygate.bench.mock.MockUpstream.start(io.relaygate.bench.mock.MockOptions.defaults())) {
            mock.cloud().bedrockKey("AKIACLITEST000000001", SECRET);
            for (String[] account : new String[][] {{"aws-good", SECRET}, {"aws-wrong", SECRET + "x"}}) {
                Result added = run(
                        Map.of("AWS_KEY", "AKIACLITEST000000001", "AWS_SECRET", account[1]),
                        "accounts",
                        "add",
                        "--kind",
                        "bedrock",
                        "--name",
                        account[0],
                        "--region",
                        "us-east-1",
                        "--base-url",
                        mock.baseUrl(),
                        "--aws-access-key-id-env",
                        "AWS_KEY",
                        "--aws-secret-access-key-env",
                        "AWS_SECRET");
                assertThat(added.code()).as(added.err()).isZero();
            }
            Result ok = run(Map.of(), "accounts", "test", "aws-good");
            assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
            assertThat(ok.out()).startsWith("aws-good: HTTP 200 in ");
            Result refused = run(Map.of(), "accounts", "test", "aws-wrong");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out())
                    .startsWith("aws-wrong: HTTP 403 in ")
                    .contains("account aws-wrong: Bedrock refused the credentials")
                    .doesNotContain(SECRET)
                    .doesNotContain("AKIACLITEST000000001");
            assertThat(mock.exchanges())
                    .extracting(e -> e.uri())
                    .containsOnly("/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke");
        }
    }
}
