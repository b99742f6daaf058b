package io.relaygate.server.cli;

import io.relaygate.accounts.Store;
import io.relaygate.server.admin.AdminPassword;
import io.relaygate.server.admin.Audit;
import io.relaygate.server.admin.UsageException;
import java.util.Set;

/** {@code admin password}: resets the console's admin password and ends every console session. */
final class AdminCommand {

    static final String HELP = """
            Usage: relaygate admin password [--password-env VAR] [--json] [--config FILE]

            Resets the console's admin password and signs every operator out. Without
            --password-env a random password is generated and printed once; with it, the
            password is read from the environment variable VAR (at least 12 characters).
            Only a bcrypt hash is stored.""";

    private AdminCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        if (!sub.equals("password")) {
            throw new UsageException("unknown subcommand 'admin " + sub + "' (expected: password)");
        }
        Args args = Args.parse(rest, Set.of("config", "password-env"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        String variable = args.value("password-env");
        String password;
        boolean generated = variable == null;
        if (variable == null) {
            password = AdminPassword.generate();
        } else {
            password = cli.env.get(variable);
            if (password == null || password.isEmpty()) {
                throw new UsageException("--password-env: " + variable + " is not set");
            }
        }
        String hash = Args.validated(() -> AdminPassword.hash(password));
        try (Store store = cli.openStore(args)) {
            Cli.await(store.admin().setPasswordHash(hash));
            Cli.await(store.admin().deleteAllSessions());
        }
        Audit.change(cli.actor, "admin.password", "admin", null, null);
        if (args.flag("json")) {
            com.fasterxml.jackson.databind.node.ObjectNode n = Cli.JSON.createObjectNode();
            n.put("reset", true);
            if (generated) {
                n.put("password", password);
            }
            cli.printJson(n);
        } else if (generated) {
            cli.out.println("Admin password reset; every console session has ended. New password, shown only once:");
            cli.out.println(password);
        } else {
            cli.out.println("Admin password reset from $" + variable + "; every console session has ended.");
        }
        return 0;
    }
}
