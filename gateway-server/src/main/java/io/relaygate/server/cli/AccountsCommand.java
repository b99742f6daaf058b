package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.relaygate.accounts.Names;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.Secrets;
import io.relaygate.server.admin.AccountStateJson;
import io.relaygate.server.admin.AdminAccounts;
import io.relaygate.server.admin.Audit;
import io.relaygate.server.admin.OAuthOnboarding;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@code accounts add | list}: upstream accounts. Credentials go in, never come out. */
final class AccountsCommand {

    static final String HELP = """
            Usage: relaygate accounts <add|list|resume> [options]

              accounts add --kind K --name N --base-url URL [options]   add an upstream account
              accounts list                                             list accounts, their state (active,
                                                                        rate-limited, overloaded, unauthorized)
                                                                        and why; never their credentials
              accounts resume NAME                                      put an account back into rotation
              accounts oauth-url [--kind claude-oauth]                  start a Claude subscription sign-in

            Every subcommand takes --json, --help and --config FILE.""";

    static final String ADD_HELP = """
            Usage: relaygate accounts add --kind K --name N --base-url URL [options]

              --kind K                anthropic-api, claude-oauth, openai-api, codex-oauth, azure-openai or
                                      openai-compatible
              --name N                the account's unique name
              --base-url URL          where its API lives, e.g. https://api.anthropic.com
              --api-key KEY           its API key or access token (stored encrypted)
              --api-key-env VAR       read the key from environment variable VAR instead (keeps it out of
                                      the shell history)
              --proxy URL             socks5://[user:pass@]host:port or http://[user:pass@]host:port
              --trust-certificates F  PEM file of the certificates to trust for this account's TLS (a private
                                      CA, a corporate TLS proxy); default: the JDK's trust store
              --priority N            lower is preferred (default 50)
              --group G               account group a key can be bound to
              --models a,b            models it serves (default: any)
              --model-map k=v,...     model or tier (haiku, sonnet, opus) to upstream model
              --config FILE           the gateway's config file (default: environment only)

            Subscription accounts (claude-oauth, codex-oauth) sign in with one of:
              --oauth-code CODE --oauth-verifier V   the code Claude's sign-in page shows, and the verifier
                                      printed by `accounts oauth-url` (exchanged for tokens at once)
              --refresh-token-env VAR a refresh token from the environment (tokens fetched on first use)
              --codex-auth-file FILE  Codex CLI's auth.json (after `codex login`)
              --api-key-env VAR       a long-lived access token (e.g. from `claude setup-token`; never refreshed)
              --token-url URL         the token endpoint (default: Anthropic's / OpenAI's)
              --client-id ID          the OAuth client id (default: Claude Code's / Codex CLI's)
            Access tokens are refreshed before they expire and once after a 401, by one gateway at a time.
              --json                  print the account as JSON (without its credential)""";

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

    private static final Set<String> ADD_OPTIONS = Set.of(
            "config",
            "kind",
            "name",
            "base-url",
            "api-key",
            "api-key-env",
            "proxy",
            "priority",
            "group",
            "models",
            "model-map",
            "refresh-token-env",
            "codex-auth-file",
            "token-url",
            "client-id",
            "oauth-code",
            "oauth-verifier",
            "trust-certificates");

    private AccountsCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        switch (sub) {
            case "add":
                return add(cli, Args.parse(rest, ADD_OPTIONS, Set.of()));
            case "list":
                return list(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "resume":
                return resume(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "oauth-url":
                return oauthUrl(cli, Args.parse(rest, Set.of("kind", "authorize-url", "client-id"), Set.of()));
            default:
                throw new UsageException(
                        "unknown subcommand 'accounts " + sub + "' (expected: add, list, resume or oauth-url)");
        }
    }

    private static int add(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(ADD_HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        AccountKind kind = Args.convert(
                "kind", args.required("kind"), AccountKind::fromWireName, "one of the kinds in accounts add --help");
        String name = args.required("name");
        Args.validated(() -> Names.check("name", name));
        String baseUrl = args.required("base-url");
        String group = args.value("group");
        if (group != null) {
            Args.validated(() -> Names.check("group", group));
        }
        String credential = OAuthTokens.isOAuth(kind) ? oauthCredential(cli, args, kind) : credential(cli, args);
        Integer priority = args.value("priority", Integer::parseInt, "a whole number");
        Account account = Args.validated(() -> new Account(
                Ids.random(10),
                name,
                kind,
                baseUrl,
                credential,
                args.value("proxy"),
                priority == null ? Account.DEFAULT_PRIORITY : priority,
                true,
                group,
                args.list("models"),
                args.map("model-map"),
                Instant.now(),
                trustCertificates(args)));
        try (Store store = cli.openStore(args)) {
            Account added = Cli.await(store.accounts().create(account));
            Audit.change(cli.actor, "accounts.add", "account:" + added.name(), null, Views.account(added));
            if (args.flag("json")) {
                cli.printJson(Views.account(added));
            } else {
                cli.out.println("Added account " + added.name() + " ("
                        + added.kind().wireName() + ", "
                        + Secrets.redactUrl(added.baseUrl()) + ", priority " + added.priority()
                        + (added.credential() == null ? ", no credential" : ", credential stored encrypted") + ").");
            }
        }
        return 0;
    }

    static final String OAUTH_URL_HELP = """
            Usage: relaygate accounts oauth-url [--kind claude-oauth] [--authorize-url URL] [--client-id ID]

            Prints a Claude sign-in URL and the PKCE verifier that goes with it. Open the URL, sign in with the
            subscription, copy the code the page shows, then:
              relaygate accounts add --kind claude-oauth --name N --base-url https://api.anthropic.com \\
                  --oauth-code CODE --oauth-verifier VERIFIER
            (ChatGPT subscriptions: sign in with `codex login`, then add --codex-auth-file ~/.codex/auth.json.)""";

    private static int oauthUrl(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(OAUTH_URL_HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        String kind = args.value("kind");
        if (kind != null && !kind.equals(AccountKind.CLAUDE_OAUTH.wireName())) {
            throw new UsageException("--kind: " + kind + " (expected: claude-oauth; for codex-oauth use codex login"
                    + " and --codex-auth-file)");
        }
        OAuthOnboarding.Pkce pkce = OAuthOnboarding.Pkce.create();
        String clientId = args.value("client-id");
        String url = OAuthOnboarding.claudeAuthorizeUrl(
                pkce,
                args.value("authorize-url") != null ? args.value("authorize-url") : OAuthTokens.CLAUDE_AUTHORIZE_URL,
                clientId != null ? clientId : OAuthTokens.CLAUDE_CLIENT_ID);
        if (args.flag("json")) {
            cli.printJson(Cli.JSON.createObjectNode().put("url", url).put("verifier", pkce.verifier()));
        } else {
            cli.out.println("Open this URL, sign in, and copy the code the page shows:");
            cli.out.println("  " + url);
            cli.out.println("Then add the account with --oauth-code <code> --oauth-verifier " + pkce.verifier());
        }
        return 0;
    }

    /** The token set of a subscription account, from whichever sign-in option was given. */
    private static @Nullable String oauthCredential(Cli cli, Args args, AccountKind kind) {
        String tokenUrl = args.value("token-url");
        String clientId = args.value("client-id");
        String code = args.value("oauth-code");
        String refreshVar = args.value("refresh-token-env");
        String authFile = args.value("codex-auth-file");
        int given = (code != null ? 1 : 0)
                + (refreshVar != null ? 1 : 0)
                + (authFile != null ? 1 : 0)
                + (args.value("api-key") != null || args.value("api-key-env") != null ? 1 : 0);
        if (given > 1) {
            throw new UsageException("--oauth-code, --refresh-token-env, --codex-auth-file and --api-key(-env):"
                    + " more than one given (expected: one way to sign in)");
        }
        if (code != null) {
            if (kind != AccountKind.CLAUDE_OAUTH) {
                throw new UsageException("--oauth-code: only for claude-oauth (codex-oauth: --codex-auth-file)");
            }
            String verifier = args.value("oauth-verifier");
            if (verifier == null) {
                throw new UsageException(
                        "--oauth-verifier: required with --oauth-code (printed by accounts oauth-url)");
            }
            return OAuthOnboarding.exchangeClaudeCode(code, verifier, tokenUrl, clientId)
                    .encode();
        }
        if (refreshVar != null) {
            String refresh = cli.env.get(refreshVar);
            if (refresh == null || refresh.isBlank()) {
                throw new UsageException("--refresh-token-env: " + refreshVar + " is not set in the environment");
            }
            return OAuthOnboarding.fromRefreshToken(refresh, tokenUrl, clientId).encode();
        }
        if (authFile != null) {
            return OAuthOnboarding.fromCodexAuthFile(java.nio.file.Path.of(authFile), tokenUrl, clientId)
                    .encode();
        }
        return credential(cli, args);
    }

    private static @Nullable String trustCertificates(Args args) {
        String file = args.value("trust-certificates");
        if (file == null) {
            return null;
        }
        java.nio.file.Path path = java.nio.file.Path.of(file).toAbsolutePath();
        if (!java.nio.file.Files.isReadable(path)) {
            throw new UsageException("--trust-certificates: " + file + " is not a readable file");
        }
        return path.toString();
    }

    private static @Nullable String credential(Cli cli, Args args) {
        String direct = args.value("api-key");
        String variable = args.value("api-key-env");
        if (direct != null && variable != null) {
            throw new UsageException("--api-key and --api-key-env: both given (expected: at most one)");
        }
        if (variable == null) {
            return direct;
        }
        String fromEnv = cli.env.get(variable);
        if (fromEnv == null || fromEnv.isBlank()) {
            throw new UsageException("--api-key-env: " + variable + " is not set in the environment");
        }
        return fromEnv.trim();
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
