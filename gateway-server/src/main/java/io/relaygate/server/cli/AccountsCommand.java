package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.core.Account;
import io.relaygate.core.Secrets;
import io.relaygate.server.admin.AccountStateJson;
import io.relaygate.server.admin.AdminAccounts;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code accounts add | list | resume | oauth-url}: upstream accounts. Credentials go in ({@link AccountAddCommand}),
 * never come out: this class dispatches and renders the accounts' list and their state.
 */
final class AccountsCommand {

    static final String HELP = """
            Usage: relaygate accounts <add|edit|list|resume|test|oauth-url> [options]

              accounts add --kind K --name N --base-url URL [options]   add an upstream account
              accounts edit NAME [options]                              change priority, group, models, proxy,
                                                                        schedulable, extra headers
              accounts list                                             list accounts, their state (active,
                                                                        rate-limited, overloaded, unauthorized)
                                                                        and why; never their credentials
              accounts resume NAME                                      put an account back into rotation
              accounts test NAME [--model M]                            connection test: one minimal request
              accounts oauth-url [--kind claude-oauth|codex-oauth]      start a Claude or ChatGPT sign-in

            Every subcommand takes --json, --help and --config FILE.""";

    static final String LIST_HELP = """
            Usage: relaygate accounts list [--json] [--config FILE]

            Lists every account: name, kind, base URL, priority, schedulable, group, models, its quota as its
            upstream last reported it (the used share of each rate-limit window that has not reset yet, e.g.
            "5h 62% 7d 18%", and the soonest reset), and its state: active, or out of rotation (rate-limited,
            overloaded, unauthorized) with until when and why. Never credentials.""";

    static final String RESUME_HELP = """
            Usage: relaygate accounts resume NAME [--json] [--config FILE]

            Puts an account that is out of rotation (after a 429, a 529 or refused credentials) back now, on
            every gateway sharing this store (within a second).""";

    private AccountsCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        switch (sub) {
            case "add":
                return AccountAddCommand.add(cli, Args.parse(rest, AccountAddCommand.OPTIONS, Set.of()));
            case "edit":
                return AccountEditCommand.run(cli, Args.parse(rest, AccountEditCommand.OPTIONS, Set.of()));
            case "list":
                return list(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "resume":
                return resume(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "test":
                return AccountTestCommand.run(cli, Args.parse(rest, AccountTestCommand.OPTIONS, Set.of()));
            case "oauth-url":
                return AccountAddCommand.oauthUrl(
                        cli, Args.parse(rest, Set.of("kind", "authorize-url", "client-id"), Set.of()));
            default:
                throw new UsageException("unknown subcommand 'accounts " + sub
                        + "' (expected: add, edit, list, resume, test or oauth-url)");
        }
    }

    private static int list(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(LIST_HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        try (Store store = cli.openStore(args)) {
            List<Account> accounts = Cli.await(store.accounts().list());
            Instant now = Instant.now();
            Map<String, AccountCondition> conditions = Cli.await(store.state().conditions(now));
            Map<String, Instant> used = Cli.await(store.state().lastUsed());
            Map<String, AccountQuota> quotas = Cli.await(store.state().quotas());
            if (args.flag("json")) {
                ArrayNode a = Cli.JSON.createArrayNode();
                accounts.forEach(acc -> a.add(AccountStateJson.put(
                        Views.account(acc), conditions.get(acc.id()), used.get(acc.id()), quotas.get(acc.id()), now)));
                cli.printJson(a);
            } else if (accounts.isEmpty()) {
                cli.out.println(
                        "No accounts yet; add one with: relaygate accounts add --kind K --name N --base-url URL");
            } else {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of(
                        "NAME",
                        "KIND",
                        "BASE URL",
                        "PRIORITY",
                        "SCHEDULABLE",
                        "GROUP",
                        "MODELS",
                        "QUOTA",
                        "STATE",
                        "UNTIL",
                        "REASON"));
                for (Account acc : accounts) {
                    String models = acc.models().isEmpty() ? "any" : String.join(",", acc.models());
                    if (!acc.modelMap().isEmpty()) {
                        models += " (map " + Views.modelMapText(acc.modelMap()) + ")";
                    }
                    rows.add(List.of(
                            acc.name(),
                            acc.kind().wireName(),
                            Secrets.redactUrl(acc.baseUrl()),
                            Integer.toString(acc.priority()),
                            acc.schedulable() ? "yes" : "no",
                            acc.group() == null ? "-" : acc.group(),
                            models,
                            quotaOf(quotas.get(acc.id()), now),
                            stateOf(conditions.get(acc.id())),
                            untilOf(conditions.get(acc.id())),
                            reasonOf(conditions.get(acc.id()))));
                }
                cli.out.print(Views.table(rows));
            }
        }
        return 0;
    }

    /** {@code 5h 62% 7d 18% (reset in 2h13m)}: the live windows' used shares and the soonest reset; "-" if none. */
    static String quotaOf(@Nullable AccountQuota q, Instant now) {
        if (q == null) {
            return "-";
        }
        Map<AccountQuota.Window, AccountQuota.Use> live = q.liveWindows(now);
        if (live.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        live.forEach((w, use) -> {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(w.label())
                    .append(' ')
                    .append(Math.round(use.used() * 100))
                    .append('%');
        });
        Instant reset = q.soonestReset(now);
        if (reset != null) {
            sb.append(" (reset in ")
                    .append(shortDuration(Duration.between(now, reset)))
                    .append(')');
        }
        return sb.toString();
    }

    /** Two units at most, rounded up: {@code 45s}, {@code 6m0s}, {@code 2h13m}, {@code 3d4h}. */
    static String shortDuration(Duration d) {
        long s = Math.max(1, (d.toMillis() + 999) / 1000);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d" + s % 86_400 / 3600 + "h";
    }

    private static String stateOf(@Nullable AccountCondition c) {
        return c == null ? "active" : c.state().wireName();
    }

    private static String untilOf(@Nullable AccountCondition c) {
        if (c == null) {
            return "-";
        }
        return c.until() == null ? "until resumed" : c.until().toString();
    }

    private static String reasonOf(@Nullable AccountCondition c) {
        if (c == null) {
            return "-";
        }
        String r = c.reason().replaceAll("\\s+", " ");
        return r.length() > 80 ? r.substring(0, 79) + "…" : r;
    }

    private static int resume(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(RESUME_HELP);
            return 0;
        }
        String name = KeysCommand.onePositional(args, "NAME");
        try (Store store = cli.openStore(args)) {
            AdminAccounts.Resumed resumed = Cli.await(AdminAccounts.resume(store, name, cli.actor, Instant.now()));
            Account account = resumed.account();
            AccountCondition before = resumed.before();
            if (args.flag("json")) {
                cli.printJson(AccountStateJson.put(Views.account(account), null, null));
            } else if (before == null) {
                cli.out.println("Account " + name + " was already in rotation.");
            } else {
                cli.out.println("Account " + name + " is back in rotation (it was "
                        + before.state().wireName() + ": " + reasonOf(before) + ").");
            }
        }
        return 0;
    }
}
