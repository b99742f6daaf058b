package io.relaygate.server.cli;

import io.relaygate.accounts.Store;
import io.relaygate.core.Secrets;
import io.relaygate.core.catalogue.CatalogueReader;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.core.signatures.Signature;
import io.relaygate.server.admin.SignaturesAdmin;
import io.relaygate.server.admin.UsageException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code signatures list} and {@code signatures update --file F | --url U}: what identifies Claude Code and Codex and
 * the headers sent on their subscription accounts, read and replaced through the store (running gateways use an update
 * for the next request, no restart).
 */
final class SignaturesCommand {

    static final String HELP = """
            Usage: relaygate signatures list [--json] [--config FILE]
                   relaygate signatures update (--file F | --url U) [--json] [--config FILE]

            The client signatures: the user-agent prefixes, originators and system-prompt beginnings that
            identify Claude Code and Codex, and the headers sent for other clients on their subscription
            accounts. Gateways on the same store use an update at once, without a restart; each account
            still learns the newest client's headers from live traffic.

              list                  the signatures in use (the stored ones, else the shipped ones)
              update                validate and store whole signatures (JSON or YAML, the shape of
                                    `signatures list --json`)
                --file F            read them from a file
                --url U             download them from U (http or https, at most 4 MiB)""";

    private SignaturesCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        Args args = Args.parse(rest, Set.of("config", "file", "url"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        return switch (sub) {
            case "list" -> list(cli, args);
            case "update" -> update(cli, args);
            default -> throw new UsageException("unknown subcommand '" + sub + "' (expected: list or update)");
        };
    }

    private static int list(Cli cli, Args args) {
        try (Store store = cli.openStore(args)) {
            ClientSignatures s = Cli.await(SignaturesAdmin.current(store));
            if (args.flag("json")) {
                cli.printJson(SignaturesAdmin.json(s));
            } else {
                cli.out.println("Client signatures as of " + s.asOf() + " (" + s.origin() + "):");
                print(cli, "claude-code", s.claudeCode());
                print(cli, "codex", s.codex());
            }
        }
        return 0;
    }

    private static void print(Cli cli, String name, Signature s) {
        cli.out.println("  " + name + ": user-agent " + String.join(" | ", s.userAgentPrefixes()) + "*"
                + (s.originatorPrefixes().isEmpty()
                        ? ""
                        : ", originator " + String.join(" | ", s.originatorPrefixes()) + "*"));
        for (Map.Entry<String, String> p : s.prompts().entrySet()) {
            cli.out.println("    prompt " + p.getKey() + ": \"" + p.getValue() + "\"");
        }
        cli.out.println("    subscription headers: "
                + String.join(", ", s.subscriptionHeaders().keySet())
                + (s.subscriptionBeta().isEmpty() ? "" : "; beta " + s.subscriptionBeta()));
    }

    private static int update(Cli cli, Args args) {
        String file = args.value("file");
        String url = args.value("url");
        if ((file == null) == (url == null)) {
            throw new UsageException("give one of --file F and --url U");
        }
        String where = file != null ? file : Secrets.redactUrl(url);
        String text = file != null ? CatalogueReader.readText(Path.of(file)) : CatalogueCommand.download(url);
        try (Store store = cli.openStore(args)) {
            ClientSignatures s = Cli.await(SignaturesAdmin.update(store, where, text, cli.actor));
            if (args.flag("json")) {
                cli.printJson(SignaturesAdmin.json(s));
            } else {
                cli.out.println("Signatures updated (as of " + s.asOf()
                        + "); gateways on this store identify clients by them from the next request.");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }
}
