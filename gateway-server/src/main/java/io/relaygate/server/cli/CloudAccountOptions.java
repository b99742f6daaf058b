package io.relaygate.server.cli;

import io.relaygate.core.AccountKind;
import io.relaygate.server.admin.CloudAccountSetup;
import io.relaygate.server.admin.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code accounts add} options of the cloud kinds: {@code bedrock} (region, IAM keys or a Bedrock API key from the
 * environment, an optional inference profile prefix) and {@code vertex} (project, region, service account key file).
 * Secrets are read from environment variables or the key file, never from the command line.
 */
final class CloudAccountOptions {

    static final String HELP = """
            Amazon Bedrock (--kind bedrock; --base-url defaults to https://bedrock-runtime.<region>.amazonaws.com):
              --region R                      the AWS region, e.g. us-east-1
              --aws-access-key-id-env VAR     an IAM access key id from the environment
              --aws-secret-access-key-env VAR its secret access key from the environment
              --aws-session-token-env VAR     a session token of temporary credentials (optional)
              --bedrock-api-key-env VAR       a Bedrock API key instead of the IAM keys
              --inference-profile P           cross-region inference profile prefix: us, eu, apac or global
            Google Vertex AI (--kind vertex; --base-url defaults to https://<region>-aiplatform.googleapis.com):
              --project P                     the Google Cloud project id
              --region R                      the Vertex AI region, e.g. us-east5, or global
              --service-account-file F        the service account's JSON key file (stored encrypted)""";

    static final List<String> OPTIONS = List.of(
            "region",
            "aws-access-key-id-env",
            "aws-secret-access-key-env",
            "aws-session-token-env",
            "bedrock-api-key-env",
            "inference-profile",
            "project",
            "service-account-file");

    private CloudAccountOptions() {}

    /** What {@link CloudAccountSetup} calls a field, as an option of this command. */
    private static final Map<String, String> OPTION_OF = Map.of(
            "region", "--region",
            "profilePrefix", "--inference-profile",
            "awsAccessKeyId", "--aws-access-key-id-env",
            "awsSecretAccessKey", "--aws-secret-access-key-env",
            "awsSessionToken", "--aws-session-token-env",
            "bedrockApiKey", "--bedrock-api-key-env",
            "project", "--project",
            "serviceAccountJson", "--service-account-file");

    /** The stored credential of a {@code bedrock} or {@code vertex} account ({@link CloudAccountSetup}). */
    static String credential(Cli cli, Args args, AccountKind kind) {
        String json = null;
        String file = args.value("service-account-file");
        if (file != null) {
            try {
                json = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException("--service-account-file: " + file + " is not a readable file");
            }
        }
        CloudAccountSetup.Given given = new CloudAccountSetup.Given(
                args.value("region"),
                args.value("inference-profile"),
                env(cli, args, "aws-access-key-id-env"),
                env(cli, args, "aws-secret-access-key-env"),
                env(cli, args, "aws-session-token-env"),
                env(cli, args, "bedrock-api-key-env"),
                args.value("project"),
                json,
                field -> OPTION_OF.getOrDefault(field, field));
        return Args.validated(() -> CloudAccountSetup.credential(kind, given));
    }

    /** The platform's endpoint for the account's region. */
    static String defaultBaseUrl(AccountKind kind, String credential) {
        return CloudAccountSetup.defaultBaseUrl(kind, credential);
    }

    private static @Nullable String env(Cli cli, Args args, String option) {
        String variable = args.value(option);
        if (variable == null) {
            return null;
        }
        String value = cli.env.get(variable);
        if (value == null || value.isBlank()) {
            throw new UsageException("--" + option + ": " + variable + " is not set in the environment");
        }
        return value.trim();
    }
}
