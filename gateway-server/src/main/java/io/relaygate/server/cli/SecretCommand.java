package io.relaygate.server.cli;

import io.relaygate.accounts.store.CredentialRotation;
import io.relaygate.server.admin.UsageException;
import java.util.Set;

/** {@code secret rotate}: the account credentials sealed again under a new credential key, with no downtime. */
final class SecretCommand {

    static final String HELP = """
            Usage: relaygate secret rotate [--json] [--config FILE]

            Seals every account's credential and proxy URL again under a new credential key while the
            gateways keep serving.

            Key in the data folder (no RELAYGATE_SECRET_KEY): makes a new secret.key, keeps the old one as
            secret.key.previous, and rewrites every account; a gateway on the same folder follows by itself.

            Key in the environment (several instances): first restart the instances one by one with
            RELAYGATE_SECRET_KEY_PREVIOUS=<new key> added, then one by one with RELAYGATE_SECRET_KEY=<new key>
            and RELAYGATE_SECRET_KEY_PREVIOUS=<old key>; then run this command with the same two variables;
            then drop RELAYGATE_SECRET_KEY_PREVIOUS. See docs/operations.md.""";

    private SecretCommand() {}

    static int run(Cli cli, String subcommand, String[] rest) {
        Args args = Args.parse(rest, Set.of("config"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        if (!subcommand.equals("rotate")) {
            throw new UsageException("unknown subcommand '" + subcommand + "' (expected: rotate)");
        }
        KeysCommand.noPositionals(args);
        CredentialRotation.Result r =
                CredentialRotation.rotate(cli.config(args.configFile()).store(), cli.env);
        if (args.flag("json")) {
            cli.printJson(Cli.JSON
                    .createObjectNode()
                    .put("accounts", r.accounts())
                    .put("keyFingerprint", r.fingerprint())
                    .put("keyGenerated", r.keyGenerated()));
        } else {
            cli.out.println((r.keyGenerated() ? "new credential key " : "credential key ") + r.fingerprint() + ": "
                    + r.accounts() + " account" + (r.accounts() == 1 ? "" : "s") + " sealed under it");
        }
        return 0;
    }
}
