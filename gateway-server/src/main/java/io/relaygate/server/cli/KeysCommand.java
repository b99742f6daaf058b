package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.CreatedKey;
import io.relaygate.accounts.Store;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Durations;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.KeyRules;
import io.relaygate.server.admin.Audit;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@code keys create | list | disable | release}: gateway API keys ({@link KeyChangeCommand}: enable, rotate, edit). */
final class KeysCommand {

    static final String HELP = """
            Usage: relaygate keys <create|list|disable|enable|rotate|edit|release> [options]

              keys create --name N [rules]   create a key and print its secret (shown once)
              keys list                      list keys (name, prefix, enabled, rules)
              keys disable N                 refuse the key named N from now on
              keys enable N                  accept it again
              keys rotate N                  give it a new secret (printed once; the old one is refused)
              keys edit N [rules]            replace its rules (those of keys create)
              keys release N                 free every concurrency lease of the key named N

            Every subcommand takes --json, --help and --config FILE.""";

    static final String CREATE_HELP = """
            Usage: relaygate keys create --name N [options]

              --name N                 the key's unique name (letters, digits, . _ @ -)
              --concurrency N          requests in flight at once
              --requests N --window W  requests per window, e.g. --requests 100 --window 1m
              --tokens N --window W    tokens per window, e.g. --tokens 500000 --window 1h
              --daily-cost USD         cost limit per UTC day
              --weekly-cost USD        cost limit per week
              --total-cost USD         lifetime cost limit
              --models a,b             only these models
              --deny-models a,b        never these models
              --clients c,d            only from these clients: claude-code, codex, other
              --expires DATE           refused from DATE (UTC midnight) or an ISO instant on
              --account NAME           use only this upstream account
              --group NAME             use only accounts of this group (not with --account)
              --config FILE            the gateway's config file (default: environment only)
              --json                   print the key as JSON

            The secret (rg_...) is printed once; only a salted hash of it is stored.""";

    static final String LIST_HELP = """
            Usage: relaygate keys list [--json] [--config FILE]

            Lists every key: name, visible prefix, enabled, created, rules. Never the secret.""";

    static final String DISABLE_HELP = """
            Usage: relaygate keys disable N [--json] [--config FILE]

            Disables the key named N; a running gateway refuses it within seconds.""";

    static final String RELEASE_HELP = """
            Usage: relaygate keys release N [--json] [--config FILE]

            Frees every concurrency lease of the key named N at once, on every instance
            sharing the store: for slots held by an instance that was killed or hangs
            (they would also expire by themselves after scheduling.leaseTtl). Requests
            still running keep running; the key may briefly have more in flight than
            its limit. With the embedded store, leases live in the serving process only.""";

    /** The options {@link #rules} reads: a key's limits and bounds, also a person's ({@code people add}). */
    static final Set<String> RULE_OPTIONS = Set.of(
            "concurrency",
            "requests",
            "tokens",
            "window",
            "daily-cost",
            "weekly-cost",
            "total-cost",
            "models",
            "deny-models",
            "clients",
            "expires",
            "account",
            "group");

    private static final Set<String> CREATE_OPTIONS = withRuleOptions("config", "name");

    /** {@link #RULE_OPTIONS} and {@code others}. */
    static Set<String> withRuleOptions(String... others) {
        Set<String> all = new java.util.HashSet<>(RULE_OPTIONS);
        all.addAll(List.of(others));
        return Set.copyOf(all);
    }

    private KeysCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        switch (sub) {
            case "create":
                return create(cli, Args.parse(rest, CREATE_OPTIONS, Set.of()));
            case "list":
                return list(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "disable":
                return disable(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "release":
                return release(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "enable":
                return KeyChangeCommand.enable(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "rotate":
                return KeyChangeCommand.rotate(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "edit":
                return KeyChangeCommand.edit(
                        cli, Args.parse(rest, KeyChangeCommand.editOptions(CREATE_OPTIONS), Set.of()));
            default:
                throw new UsageException("unknown subcommand 'keys " + sub
                        + "' (expected: create, list, disable, enable, rotate, edit or release)");
        }
    }

    private static int create(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(CREATE_HELP);
            return 0;
        }
        noPositionals(args);
        String name = args.required("name");
        KeyRules rules = rules(args);
        try (Store store = cli.openStore(args)) {
            if (rules.boundAccount() != null
                    && Cli.await(store.accounts().findByName(rules.boundAccount()))
                            .isEmpty()) {
                throw new UsageException(
                        "--account: " + rules.boundAccount() + " (no such account; see relaygate accounts list)");
            }
            ApiKeyService keys = new ApiKeyService(store.keys());
            CreatedKey created = Cli.await(Args.validated(() -> keys.create(name, rules)));
            Audit.change(cli.actor, "keys.create", "key:" + created.key().name(), null, Views.key(created.key()));
            if (args.flag("json")) {
                ObjectNode n = Views.key(created.key());
                n.put("secret", created.secret());
                cli.printJson(n);
            } else {
                cli.out.println("Created key " + created.key().name() + " (" + Views.rulesText(rules) + ").");
                cli.out.println("Secret, shown only this once:");
                cli.out.println(created.secret());
            }
        }
        return 0;
    }

    /** The rules of {@code keys create}; {@code --window} applies to the {@code --requests} or {@code --tokens} before it. */
    static KeyRules rules(Args args) {
        Long requests = null;
        Duration requestWindow = null;
        Long tokens = null;
        Duration tokenWindow = null;
        String last = null;
        for (Args.Option o : args.ordered()) {
            String value = o.value();
            switch (o.name()) {
                case "requests":
                    requests = Args.convert("requests", value, Long::parseLong, "a whole number");
                    last = "requests";
                    break;
                case "tokens":
                    tokens = Args.convert("tokens", value, Long::parseLong, "a whole number");
                    last = "tokens";
                    break;
                case "window":
                    Duration w = Args.convert("window", value, Durations::parse, "a duration such as 1m or 1h");
                    if ("requests".equals(last) && requestWindow == null) {
                        requestWindow = w;
                    } else if ("tokens".equals(last) && tokenWindow == null) {
                        tokenWindow = w;
                    } else {
                        throw new UsageException("--window: " + value + " (expected: right after --requests N or"
                                + " --tokens N, once each)");
                    }
                    break;
                default:
                    break;
            }
        }
        if (requests != null && requestWindow == null) {
            throw new UsageException("--requests: " + requests + " given without --window");
        }
        if (tokens != null && tokenWindow == null) {
            throw new UsageException("--tokens: " + tokens + " given without --window");
        }
        Integer concurrency = args.value("concurrency", Integer::parseInt, "a whole number > 0");
        Double daily = cost(args, "daily-cost");
        Double weekly = cost(args, "weekly-cost");
        Double total = cost(args, "total-cost");
        Set<ClientKind> clients = new LinkedHashSet<>();
        for (String c : args.list("clients")) {
            clients.add(Args.convert("clients", c, ClientKind::fromWireName, "claude-code, codex or other"));
        }
        Instant expires = args.value("expires", KeysCommand::expiry, "a date like 2026-12-31 or an ISO instant");
        if (expires != null && !expires.isAfter(Instant.now())) {
            throw new UsageException("--expires: " + args.value("expires") + " (expected: a future date)");
        }
        Long finalRequests = requests;
        Duration finalRequestWindow = requestWindow;
        Long finalTokens = tokens;
        Duration finalTokenWindow = tokenWindow;
        String account = args.value("account");
        String group = args.value("group");
        if (account != null && group != null) {
            throw new UsageException("--account and --group: " + account + ", " + group + " (expected: at most one)");
        }
        return Args.validated(() -> new KeyRules(
                concurrency,
                finalRequests,
                finalRequestWindow,
                finalTokens,
                finalTokenWindow,
                daily,
                weekly,
                total,
                args.list("models"),
                args.list("deny-models"),
                clients,
                expires,
                account,
                group));
    }

    private static @Nullable Double cost(Args args, String name) {
        return args.value(
                name,
                s -> {
                    double d = Double.parseDouble(s);
                    if (!(d > 0) || Double.isInfinite(d)) {
                        throw new NumberFormatException(s);
                    }
                    return d;
                },
                "a positive amount in USD, e.g. 5 or 2.50");
    }

    private static Instant expiry(String text) {
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.parse(text);
        }
    }

    private static int list(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(LIST_HELP);
            return 0;
        }
        noPositionals(args);
        try (Store store = cli.openStore(args)) {
            List<ApiKey> keys = Cli.await(store.keys().list());
            if (args.flag("json")) {
                ArrayNode a = Cli.JSON.createArrayNode();
                keys.forEach(k -> a.add(Views.key(k)));
                cli.printJson(a);
            } else if (keys.isEmpty()) {
                cli.out.println("No keys yet; create one with: relaygate keys create --name NAME");
            } else {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("NAME", "PREFIX", "ENABLED", "CREATED", "RULES"));
                for (ApiKey k : keys) {
                    rows.add(List.of(
                            k.name(),
                            k.prefix() + "…",
                            k.enabled() ? "yes" : "no",
                            k.createdAt().toString(),
                            Views.rulesText(k.rules())));
                }
                cli.out.print(Views.table(rows));
            }
        }
        return 0;
    }

    private static int disable(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(DISABLE_HELP);
            return 0;
        }
        if (args.positionals().size() != 1) {
            throw new UsageException(
                    args.positionals().isEmpty()
                            ? "missing key name (expected: keys disable NAME)"
                            : "too many arguments: " + String.join(" ", args.positionals())
                                    + " (expected: one key name)");
        }
        String name = args.positionals().get(0);
        try (Store store = cli.openStore(args)) {
            ApiKey disabled = Cli.await(new ApiKeyService(store.keys()).disable(name));
            Audit.change(
                    cli.actor,
                    "keys.disable",
                    "key:" + disabled.name(),
                    Views.key(disabled.withEnabled(true)),
                    Views.key(disabled));
            if (args.flag("json")) {
                cli.printJson(Views.key(disabled));
            } else {
                cli.out.println("Disabled key " + disabled.name() + ".");
            }
        }
        return 0;
    }

    private static int release(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(RELEASE_HELP);
            return 0;
        }
        String name = onePositional(args, "key name (expected: keys release NAME)");
        try (Store store = cli.openStore(args)) {
            ApiKey key = Cli.await(store.keys().findByName(name))
                    .orElseThrow(() -> new GatewayException(ErrorKind.NOT_FOUND, "key name: " + name + " not found"));
            long freed = Cli.await(store.state().releaseAll(key.id()));
            ObjectNode before = Views.key(key).put("leases", freed);
            ObjectNode after = Views.key(key).put("leases", 0);
            Audit.change(cli.actor, "keys.release", "key:" + key.name(), before, after);
            if (args.flag("json")) {
                cli.printJson(JsonNodeFactory.instance
                        .objectNode()
                        .put("key", key.name())
                        .put("released", freed));
            } else {
                cli.out.println(
                        "Released " + freed + (freed == 1 ? " lease" : " leases") + " of key " + key.name() + ".");
            }
        }
        return 0;
    }

    /** The one positional argument, named {@code what} in the error when there is none or more. */
    static String onePositional(Args args, String what) {
        if (args.positionals().size() != 1) {
            throw new UsageException(
                    args.positionals().isEmpty()
                            ? "missing " + what
                            : "too many arguments: " + String.join(" ", args.positionals()));
        }
        return args.positionals().get(0);
    }

    static void noPositionals(Args args) {
        if (!args.positionals().isEmpty()) {
            throw new UsageException(
                    "unexpected argument: " + args.positionals().get(0));
        }
    }
}
