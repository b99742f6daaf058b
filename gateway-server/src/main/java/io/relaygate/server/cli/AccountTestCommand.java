package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.server.admin.AccountProbe;
import io.relaygate.server.admin.CatalogueAdmin;
import io.relaygate.server.upstream.TokenEndpoint;
import java.util.Set;

/** {@code accounts test NAME [--model M]}: the connection test, the same one as the console's button. */
final class AccountTestCommand {

    static final String HELP = """
            Usage: relaygate accounts test NAME [--model M] [--json] [--config FILE]

            Sends one minimal request (ping, one output token) to the account's upstream,
            through its proxy and with its credentials, and prints the status, the latency
            and the upstream's message. Exit code 1 when the upstream did not answer 2xx.
            --model picks the model (default: the account's first listed or mapped model).""";

    static final Set<String> OPTIONS = Set.of("config", "model");

    private AccountTestCommand() {}

    static int run(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        String name = KeysCommand.onePositional(args, "account name (expected: accounts test NAME)");
        ObjectNode result;
        try (Store store = cli.openStore(args);
                TokenEndpoint calls =
                        TokenEndpoint.standalone(cli.config(args.configFile()).upstream())) {
            Account account = Cli.await(store.accounts().findByName(name))
                    .orElseThrow(
                            () -> new GatewayException(ErrorKind.NOT_FOUND, "account name: " + name + " not found"));
            result = Cli.await(
                    AccountProbe.run(calls, account, args.value("model"), Cli.await(CatalogueAdmin.current(store))));
        }
        boolean ok = result.path("ok").asBoolean();
        if (args.flag("json")) {
            cli.printJson(result);
        } else {
            String status = result.path("status").isNull()
                    ? "no answer"
                    : "HTTP " + result.path("status").asInt();
            cli.out.println(
                    name + ": " + status + " in " + result.path("latencyMs").asLong() + " ms with "
                            + result.path("model").asText() + ": "
                            + result.path("message").asText());
        }
        return ok ? 0 : 1;
    }
}
