package io.relaygate.server.cli;

import io.relaygate.core.GatewayException;
import io.relaygate.core.Secrets;
import io.relaygate.core.config.ConfigException;
import io.relaygate.server.admin.UsageException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code relaygate} command: {@code serve}, {@code keys}, {@code accounts}, {@code usage}, {@code requests}. Exit codes: 0 done, 1
 * the operation failed (store unreachable, name taken, …), 2 the command line or configuration is wrong. Every failure
 * is one line on stderr naming the problem; never a stack trace, never a secret.
 */
public final class RelaygateMain {

    private static final Logger logger = LoggerFactory.getLogger(RelaygateMain.class);

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String HELP = """
            Usage: relaygate <command> [options]

              serve [--config FILE]            start the gateway
              keys create --name N [rules]     create a gateway API key (prints the secret once)
              keys list                        list keys
              keys disable N                   disable a key
              people add|list|link|key|disable|sessions|revoke
                                               people who sign in to Claude Code (relaygate people --help)
              settings show|set|remove         managed settings for signed-in Claude Code, per group
              accounts add --kind K --name N --base-url URL [...]   add an upstream account
              accounts list                    list accounts (never their credentials)
              usage [--key N] [--account N]    usage per key, account and model
              requests [--key N] [--account A] [--since 1h] [--csv]   per-request records, newest first
              admin password                   reset the console's admin password (printed once)
              catalogue list | update --file F|--url U   the model catalogue (prices, tiers, limits)
              signatures list | update --file F|--url U  what identifies Claude Code and Codex
              secret rotate                    seal account credentials under a new key (no downtime)

            Every command takes --help and --json. Admin commands work on the same store as serve
            (--config FILE, REDIS_URL, RELAYGATE_DATA_DIR), with the gateway running or not.""";

    private RelaygateMain() {}

    public static void main(String[] args) {
        // The process's inputs are read here and nowhere else: the environment (config overrides and the variables
        // the command line names) and the operating-system user the audit log names.
        System.exit(run(args, System.out, System.err, System.getenv(), System.getProperty("user.name")));
    }

    /** {@link #run(String[], PrintStream, PrintStream, Map, String)} by an unknown user (tests). */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, null);
    }

    /**
     * Runs one command and returns its exit code; everything it prints goes to {@code out} and {@code err}.
     *
     * @param user the operating-system user running it, named in the audit log (null: unknown)
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, @Nullable String user) {
        Cli cli = new Cli(out, err, env, user);
        String label = "relaygate";
        try {
            if (args.length == 0) {
                throw new UsageException(
                        "missing command (expected: serve, keys, accounts, usage, requests, admin, catalogue, signatures, people, settings or secret)");
            }
            String command = args[0];
            switch (command) {
                case "--help":
                case "-h":
                case "help":
                    out.println(HELP);
                    return OK;
                case "serve":
                    label = "relaygate serve";
                    return ServeCommand.run(cli, rest(args, 1));
                case "usage":
                    label = "relaygate usage";
                    return UsageCommand.run(cli, rest(args, 1));
                case "requests":
                    label = "relaygate requests";
                    return RequestsCommand.run(cli, rest(args, 1));
                case "admin":
                    label = "relaygate admin";
                    if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                        if (args.length < 2) {
                            throw new UsageException("missing subcommand (expected: password)");
                        }
                        out.println(AdminCommand.HELP);
                        return OK;
                    }
                    label = "relaygate admin " + args[1];
                    return AdminCommand.run(cli, args[1], rest(args, 2));
                case "catalogue":
                case "signatures":
                    label = "relaygate " + command;
                    boolean catalogue = command.equals("catalogue");
                    if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                        if (args.length < 2) {
                            throw new UsageException("missing subcommand (expected: list or update)");
                        }
                        out.println(catalogue ? CatalogueCommand.HELP : SignaturesCommand.HELP);
                        return OK;
                    }
                    label = "relaygate " + command + " " + args[1];
                    return catalogue
                            ? CatalogueCommand.run(cli, args[1], rest(args, 2))
                            : SignaturesCommand.run(cli, args[1], rest(args, 2));
                case "settings":
                    label = "relaygate settings";
                    if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                        if (args.length < 2) {
                            throw new UsageException("missing subcommand (expected: show, set or remove)");
                        }
                        out.println(SettingsCommand.HELP);
                        return OK;
                    }
                    label = "relaygate settings " + args[1];
                    return SettingsCommand.run(cli, args[1], rest(args, 2));
                case "people":
                    label = "relaygate people";
                    if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                        if (args.length < 2) {
                            throw new UsageException(
                                    "missing subcommand (expected: add, list, link, key, disable, sessions or revoke)");
                        }
                        out.println(PeopleCommand.HELP);
                        return OK;
                    }
                    label = "relaygate people " + args[1];
                    return PeopleCommand.run(cli, args[1], rest(args, 2));
                case "secret":
                    label = "relaygate secret";
                    if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                        if (args.length < 2) {
                            throw new UsageException("missing subcommand (expected: rotate)");
                        }
                        out.println(SecretCommand.HELP);
                        return OK;
                    }
                    label = "relaygate secret " + args[1];
                    return SecretCommand.run(cli, args[1], rest(args, 2));
                case "keys":
                case "accounts":
                    label = "relaygate " + command;
                    String groupHelp = command.equals("keys") ? KeysCommand.HELP : AccountsCommand.HELP;
                    if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                        if (args.length < 2) {
                            throw new UsageException("missing subcommand (expected: "
                                    + (command.equals("keys") ? "create, list or disable" : "add or list") + ")");
                        }
                        out.println(groupHelp);
                        return OK;
                    }
                    label = "relaygate " + command + " " + args[1];
                    return command.equals("keys")
                            ? KeysCommand.run(cli, args[1], rest(args, 2))
                            : AccountsCommand.run(cli, args[1], rest(args, 2));
                default:
                    throw new UsageException(
                            "unknown command '" + command
                                    + "' (expected: serve, keys, accounts, usage, requests, admin, catalogue, signatures, people, settings or secret)");
            }
        } catch (UsageException e) {
            err.println(label + ": " + Secrets.redact(e.getMessage()) + "; see " + label + " --help");
            return USAGE;
        } catch (ConfigException e) {
            err.println(label + ": " + Secrets.redact(String.valueOf(e.getMessage())));
            return USAGE;
        } catch (GatewayException e) {
            err.println(label + ": " + Secrets.redact(e.getMessage()));
            return FAILED;
        } catch (RuntimeException e) {
            logger.debug("{} failed", label, e);
            err.println(label + ": failed: " + Secrets.redact(String.valueOf(e)));
            return FAILED;
        }
    }

    private static String[] rest(String[] args, int from) {
        return Arrays.copyOfRange(args, from, args.length);
    }
}
