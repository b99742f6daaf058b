package io.relaygate.server.cli;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.UsageReport;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.PriceBasis;
import io.relaygate.core.catalogue.Quote;
import io.relaygate.server.admin.CatalogueAdmin;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code usage [--by key|account|model] [--period hour|day|week|total] [--at WHEN] [--key N] [--account N]}: the
 * counters the gateway records, read from the same store; {@code --json} prints what {@code GET /admin/usage} returns.
 */
final class UsageCommand {

    static final String HELP = """
            Usage: relaygate usage [--by key|account|model] [--period hour|day|week|total] [--at WHEN]
                                   [--key N] [--account N] [--json] [--config FILE]

            Usage per key, account or model in one period: requests, errors, tokens (input, output, cache
            writes, cache reads) and cost in USD. Periods are UTC hours, days, ISO weeks, or the total.

              --by key|account|model    what to show usage per (default: key)
              --period P                hour, day (default), week or total
              --at WHEN                 a date (2026-11-30) or instant (2026-11-30T17:00:00Z) in the period
                                        (default: now)
              --key N                   only the key named N (implies --by key)
              --account N               only the account named N (implies --by account)""";

    private UsageCommand() {}

    static int run(Cli cli, String[] rest) {
        Args args = Args.parse(rest, Set.of("config", "by", "period", "at", "key", "account"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        String key = args.value("key");
        String account = args.value("account");
        if (key != null && account != null) {
            throw new UsageException("--key and --account: give one of them");
        }
        UsageScope scope = key != null
                ? UsageScope.KEY
                : account != null ? UsageScope.ACCOUNT : parsed(() -> UsageReport.parseScope(args.value("by")));
        Period period = parsed(() -> UsageReport.parsePeriod(args.value("period")));
        Instant at = parsed(() -> UsageReport.parseAt(args.value("at"), Instant.now()));
        try (Store store = cli.openStore(args)) {
            UsageReport report = Cli.await(UsageReport.read(store, scope, period, at));
            if (key != null) {
                report = report.only(key);
            } else if (account != null) {
                report = report.only(account);
            }
            Catalogue catalogue = scope == UsageScope.MODEL ? Cli.await(CatalogueAdmin.current(store)) : null;
            if (args.flag("json")) {
                cli.printJson(report.toJson(Cli.JSON, catalogue));
            } else {
                print(cli, report, catalogue);
            }
        }
        return 0;
    }

    private static <T> T parsed(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }
    }

    private static void print(Cli cli, UsageReport report, @Nullable Catalogue catalogue) {
        String what = report.scope().name().toLowerCase(Locale.ROOT);
        String when = report.period() == Period.TOTAL ? "in total" : "in " + report.bucket() + " (UTC)";
        if (report.lines().isEmpty()) {
            cli.out.println("No usage per " + what + " " + when + ".");
            return;
        }
        cli.out.println("Usage per " + what + " " + when + ":");
        List<List<String>> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of(
                what.toUpperCase(Locale.ROOT),
                "REQUESTS",
                "ERRORS",
                "INPUT",
                "OUTPUT",
                "CACHE WRITE",
                "CACHE READ",
                "COST"));
        if (catalogue != null) {
            head.add("PRICING");
        }
        rows.add(head);
        boolean inexact = false;
        for (UsageReport.Line l : report.lines()) {
            List<String> row = new ArrayList<>(row(l.name(), l.counters()));
            if (catalogue != null) {
                Quote q = catalogue.quote(l.id());
                inexact |= q.basis() != PriceBasis.EXACT;
                row.add(q.basis() == PriceBasis.EXACT ? "exact" : q.basis().wireName() + " (" + q.pricedAs() + ")");
            }
            rows.add(row);
        }
        if (report.lines().size() > 1) {
            List<String> total = new ArrayList<>(row("(total)", report.total()));
            if (catalogue != null) {
                total.add("");
            }
            rows.add(total);
        }
        cli.out.print(Views.table(rows));
        if (inexact) {
            cli.out.println("Estimated and unpriced models are charged at the price shown in brackets; add them with"
                    + " relaygate catalogue update.");
        }
    }

    private static List<String> row(String name, UsageCounters c) {
        return List.of(
                name,
                Long.toString(c.requests()),
                Long.toString(c.errors()),
                Long.toString(c.inputTokens()),
                Long.toString(c.outputTokens()),
                Long.toString(c.cacheCreationTokens()),
                Long.toString(c.cacheReadTokens()),
                String.format(Locale.ROOT, "$%.4f", c.costUsd()));
    }
}
