package io.relaygate.server.cli;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.server.admin.RequestsView;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code requests [--key N] [--account A] [--since WHEN] [--until WHEN] [--limit N] [--json|--csv]}: the per-request
 * records, newest first, read from the same store as the gateway writes them; {@code --json} prints what
 * {@code GET /admin/requests} answers and {@code --csv} its {@code format=csv} export.
 */
final class RequestsCommand {

    static final String HELP = """
            Usage: relaygate requests [--key N] [--account A] [--since WHEN] [--until WHEN] [--limit N]
                                      [--json | --csv] [--config FILE]

            One record per request the gateway read, newest first: key, client, model, status, how it
            ended, tokens, cost and every upstream attempt (account, status, time). What a team admin
            exports to reconcile against a vendor's bill.

              --key N          only requests made with the key named (or with the id) N
              --account A      only requests that tried the account named A
              --since WHEN     ended at or after WHEN: 2026-12-06T22:00:00Z, 2026-12-06, or a span back
                               from now such as 30m, 1h, 7d
              --until WHEN     ended before WHEN (same forms)
              --limit N        at most N requests (default 100, at most 1000)
              --json           the JSON of GET /admin/requests
              --csv            CSV, one row per request, attempts as account:status:ms:in:out[:error]""";

    private RequestsCommand() {}

    static int run(Cli cli, String[] rest) {
        Args args = Args.parse(rest, Set.of("config", "key", "account", "since", "until", "limit"), Set.of("csv"));
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        if (args.flag("json") && args.flag("csv")) {
            throw new UsageException("--json and --csv: give one of them");
        }
        RequestQuery query;
        try {
            query = RequestsView.query(
                    args.value("key"),
                    args.value("account"),
                    args.value("since"),
                    args.value("until"),
                    args.value("limit"),
                    Instant.now());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }
        try (Store store = cli.openStore(args)) {
            List<RequestRecord> records = Cli.await(store.requests().read(query));
            if (args.flag("json")) {
                cli.printJson(RequestsView.json(records));
            } else if (args.flag("csv")) {
                cli.out.print(RequestsView.csv(records));
            } else {
                print(cli, records);
            }
        }
        return 0;
    }

    private static void print(Cli cli, List<RequestRecord> records) {
        if (records.isEmpty()) {
            cli.out.println("No requests recorded for this query.");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TIME", "KEY", "CLIENT", "MODEL", "STATUS", "END", "ERROR", "IN", "OUT", "COST", "ACCOUNTS"));
        for (RequestRecord r : records) {
            StringBuilder accounts = new StringBuilder();
            for (RequestRecord.Attempt a : r.attempts()) {
                if (accounts.length() > 0) {
                    accounts.append(" → ");
                }
                accounts.append(a.account()).append(' ').append(a.status());
            }
            rows.add(List.of(
                    r.time().toString(),
                    r.keyName() == null ? "-" : r.keyName(),
                    r.client(),
                    r.model() == null ? "-" : r.model(),
                    Integer.toString(r.status()),
                    r.end(),
                    r.errorKind() == null ? "-" : r.errorKind(),
                    Long.toString(r.inputTokens() + r.cacheReadTokens() + r.cacheWriteTokens()),
                    Long.toString(r.outputTokens()),
                    String.format(Locale.ROOT, "$%.4f", r.costUsd()),
                    accounts.length() == 0 ? "-" : accounts.toString()));
        }
        cli.out.print(Views.table(rows));
    }
}
