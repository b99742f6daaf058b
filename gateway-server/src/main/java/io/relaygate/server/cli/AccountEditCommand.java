package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.server.admin.AccountEdits;
import io.relaygate.server.admin.UsageException;
import java.util.Map;
import java.util.Set;

/**
 * {@code accounts edit NAME [options]}: changes an account's settings through {@link AccountEdits}, the code the admin
 * API's {@code POST /admin/accounts/<name>/edit} runs, so both validate and audit alike.
 */
final class AccountEditCommand {

    static final String HELP = """
            Usage: relaygate accounts edit NAME [options]

              --priority N            lower is preferred
              --group G               account group a key can be bound to ("" or "-": none)
              --models a,b            models it serves ("-": any)
              --model-map k=v,...     model or tier to upstream model ("-": none)
              --proxy URL             socks5://… or http://… ("-": none)
              --schedulable yes|no    whether the scheduler may pick it
              --header 'Name: value'  set an extra upstream header (repeat for more; stored encrypted)
              --remove-header NAME    stop sending that header (repeat for more)
              --json                  print the account as JSON (header values never shown)
            Options left out keep their value. The credential is not edited: add the account again to sign in anew.""";

    static final Set<String> OPTIONS = Set.of(
            "config", "priority", "group", "models", "model-map", "proxy", "schedulable", "header", "remove-header");

    private AccountEditCommand() {}

    static int run(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        String name = KeysCommand.onePositional(args, "NAME");
        ObjectNode body = Cli.JSON.createObjectNode();
        Integer priority = args.value("priority", Integer::parseInt, "a whole number");
        if (priority != null) {
            body.put("priority", priority);
        }
        String group = args.value("group");
        if (group != null) {
            body.put("group", none(group) ? "" : group);
        }
        String models = args.value("models");
        if (models != null) {
            body.putArray("models");
            if (!none(models)) {
                args.list("models").forEach(m -> body.withArray("models").add(m));
            }
        }
        String modelMap = args.value("model-map");
        if (modelMap != null) {
            ObjectNode m = body.putObject("modelMap");
            if (!none(modelMap)) {
                args.map("model-map").forEach(m::put);
            }
        }
        String proxy = args.value("proxy");
        if (proxy != null) {
            body.put("proxy", none(proxy) ? "" : proxy);
        }
        String schedulable = args.value("schedulable");
        if (schedulable != null) {
            if (!schedulable.equals("yes") && !schedulable.equals("no")) {
                throw new UsageException("--schedulable: " + schedulable + " (expected: yes or no)");
            }
            body.put("schedulable", schedulable.equals("yes"));
        }
        Map<String, String> headers = AccountAddCommand.headers(args);
        if (!headers.isEmpty() || !args.values("remove-header").isEmpty()) {
            ObjectNode h = body.putObject("headers");
            args.values("remove-header").forEach(h::putNull);
            headers.forEach(h::put);
        }
        if (body.isEmpty()) {
            throw new UsageException("nothing to change (expected: at least one option; see accounts edit --help)");
        }
        try (Store store = cli.openStore(args)) {
            ObjectNode view = Args.validated(() -> Cli.await(AccountEdits.edit(store, name, body, cli.actor)));
            if (args.flag("json")) {
                cli.printJson(view);
            } else {
                cli.out.println("Edited account " + name + ".");
            }
        }
        return 0;
    }

    private static boolean none(String v) {
        return v.equals("-") || v.isBlank();
    }
}
