package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.core.KeyRules;
import io.relaygate.server.admin.KeysAdmin;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code keys enable | rotate | edit}: the console's key actions on the command line, through {@link KeysAdmin}, the
 * code the admin API runs, so both change and audit alike.
 */
final class KeyChangeCommand {

    static final String ENABLE_HELP = """
            Usage: relaygate keys enable N [--json] [--config FILE]

            Accepts the disabled key named N again; a running gateway accepts it within seconds.""";

    static final String ROTATE_HELP = """
            Usage: relaygate keys rotate N [--json] [--config FILE]

            Gives the key named N a new secret, printed once; the old secret is refused from now on. Its name,
            rules and usage stay.""";

    static final String EDIT_HELP = """
            Usage: relaygate keys edit N [rules] [--json] [--config FILE]

            Replaces the rules of the key named N with the ones given, which are those of keys create
            (--concurrency, --requests/--tokens with --window, --daily-cost, --weekly-cost, --total-cost,
            --models, --deny-models, --clients, --expires, --account, --group). A rule left out is removed:
            `keys edit N` alone clears every rule.""";

    private KeyChangeCommand() {}

    static int enable(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(ENABLE_HELP);
            return 0;
        }
        String name = KeysCommand.onePositional(args, "N");
        try (Store store = cli.openStore(args)) {
            ObjectNode key = Cli.await(new KeysAdmin(store).enabled(name, true, cli.actor));
            print(cli, args, key, "Enabled key " + name + ".");
        }
        return 0;
    }

    static int rotate(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(ROTATE_HELP);
            return 0;
        }
        String name = KeysCommand.onePositional(args, "N");
        try (Store store = cli.openStore(args)) {
            ObjectNode key = Cli.await(new KeysAdmin(store).rotated(name, cli.actor));
            if (args.flag("json")) {
                cli.printJson(key);
            } else {
                cli.out.println("New secret of key " + name + " (shown only this once; the old one is refused now):");
                cli.out.println(key.path("secret").asText());
            }
        }
        return 0;
    }

    static Set<String> editOptions(Set<String> createOptions) {
        Set<String> s = new HashSet<>(createOptions);
        s.remove("name");
        return s;
    }

    static int edit(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(EDIT_HELP);
            return 0;
        }
        String name = KeysCommand.onePositional(args, "N");
        KeyRules rules = KeysCommand.rules(args);
        try (Store store = cli.openStore(args)) {
            ObjectNode key = Cli.await(new KeysAdmin(store).ruled(name, rules, cli.actor));
            print(cli, args, key, "Replaced the rules of key " + name + ".");
        }
        return 0;
    }

    private static void print(Cli cli, Args args, ObjectNode key, String text) {
        if (args.flag("json")) {
            cli.printJson(key);
        } else {
            cli.out.println(text);
        }
    }
}
