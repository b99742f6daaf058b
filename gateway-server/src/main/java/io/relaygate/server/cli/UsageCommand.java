package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * {@code usage [--key N] [--account N] [--since …]}: the arguments are accepted and checked now so scripts written
 * against the operating contract keep working; the numbers come once the gateway records usage.
 */
final class UsageCommand {

    static final String HELP = """
            Usage: relaygate usage [--key N] [--account N] [--since WHEN] [--json] [--config FILE]

            Usage per key, account and model (requests, tokens, cost).""";

    static final String NOT_RECORDED = "usage accounting is not recorded yet: this gateway version keeps no usage"
            + " counters, so there is nothing to show";

    private UsageCommand() {}

    static int run(Cli cli, String[] rest) {
        Args args = Args.parse(rest, Set.of("config", "key", "account", "since"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        args.value("key");
        args.value("account");
        args.value("since");
        if (args.flag("json")) {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("recorded", false);
            n.put("message", NOT_RECORDED);
            cli.printJson(n);
        } else {
            cli.out.println(NOT_RECORDED + ".");
        }
        return 0;
    }
}
