package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInSession;
import io.relaygate.core.Durations;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.ServerConfig;
import io.relaygate.server.admin.Audit;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import io.relaygate.server.signin.PeopleAdmin;
import io.relaygate.server.signin.SignInSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** {@code people add | list | link | disable | sessions | revoke}: people who sign in to Claude Code. */
final class PeopleCommand {

    static final String HELP = """
            Usage: relaygate people <add|list|link|disable|sessions|revoke> [options]

              people add NAME [--email E] [--subject S] [--groups a,b] [key rules]
                                      add a person; their usage and limits are those of the key
                                      person.NAME, made with the rules of keys create
              people list             list people
              people link NAME [--valid 7d] [--url URL]
                                      print a one-time sign-in link for NAME (shown once; the
                                      person opens it to approve Claude Code's /login)
              people key NAME         print a new secret for NAME's key (shown once, replaces the
                                      last one), for clients without sign-in, e.g.
                                      codex login --with-api-key
              people disable NAME     refuse NAME from now on and end their sessions
              people sessions [NAME]  list signed-in sessions (of NAME, or everyone's)
              people revoke ID        end one session (its access and refresh token)

            Every subcommand takes --json, --help and --config FILE.""";

    private static final Set<String> ADD_OPTIONS = KeysCommand.withRuleOptions("config", "email", "subject", "groups");

    private PeopleCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        switch (sub) {
            case "add":
                return add(cli, Args.parse(rest, ADD_OPTIONS, Set.of()));
            case "list":
                return list(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "link":
                return link(cli, Args.parse(rest, Set.of("config", "valid", "url"), Set.of()));
            case "key":
                return key(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "disable":
                return disable(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "sessions":
                return sessions(cli, Args.parse(rest, Set.of("config"), Set.of()));
            case "revoke":
                return revoke(cli, Args.parse(rest, Set.of("config"), Set.of()));
            default:
                throw new UsageException("unknown subcommand 'people " + sub
                        + "' (expected: add, list, link, key, disable, sessions or revoke)");
        }
    }

    private static boolean help(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(HELP);
            return true;
        }
        return false;
    }

    private static int add(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        String name = KeysCommand.onePositional(args, "person name (expected: people add NAME)");
        KeyRules rules = KeysCommand.rules(args);
        String groups = args.value("groups");
        List<String> groupList = groups == null || groups.isBlank()
                ? List.of()
                : Arrays.stream(groups.split(","))
                        .map(String::trim)
                        .filter(g -> !g.isEmpty())
                        .toList();
        try (Store store = cli.openStore(args)) {
            Person p = Cli.await(Args.validated(() -> new PeopleAdmin(store, Clock.systemUTC())
                    .add(name, args.value("email"), args.value("subject"), groupList, rules)));
            Audit.change(cli.actor, "people.add", "person:" + p.name(), null, view(p));
            if (args.flag("json")) {
                cli.printJson(view(p));
            } else {
                cli.out.println("Added " + p.name() + " (key " + PeopleAdmin.KEY_PREFIX + p.name() + ", "
                        + Views.rulesText(rules) + "). Send them a sign-in link: relaygate people link " + p.name());
            }
        }
        return 0;
    }

    private static int list(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        KeysCommand.noPositionals(args);
        try (Store store = cli.openStore(args)) {
            List<Person> people = Cli.await(new PeopleAdmin(store, Clock.systemUTC()).list());
            if (args.flag("json")) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                people.forEach(p -> a.add(view(p)));
                cli.printJson(a);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("NAME", "EMAIL", "GROUPS", "ENABLED"));
            for (Person p : people) {
                rows.add(List.of(
                        p.name(),
                        p.email() == null ? "-" : p.email(),
                        String.join(",", p.groups()),
                        p.enabled() ? "yes" : "no"));
            }
            cli.out.println(Views.table(rows));
        }
        return 0;
    }

    private static int link(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        String name = KeysCommand.onePositional(args, "person name (expected: people link NAME)");
        Duration valid = args.value("valid") == null
                ? SignInSettings.LINK_TTL
                : Args.convert("valid", args.value("valid"), Durations::parse, "a duration such as 7d or 12h");
        String url = args.value("url");
        if (url == null) {
            ServerConfig server = cli.config(args.configFile()).server();
            url = "http://" + server.host() + ":" + server.port();
        }
        String gatewayUrl = url;
        try (Store store = cli.openStore(args)) {
            String link = Cli.await(new PeopleAdmin(store, Clock.systemUTC()).link(name, valid, gatewayUrl));
            Audit.change(cli.actor, "people.link", "person:" + name, null, null);
            if (args.flag("json")) {
                cli.printJson(JsonNodeFactory.instance
                        .objectNode()
                        .put("person", name)
                        .put("link", link)
                        .put("validSeconds", valid.toSeconds()));
            } else {
                cli.out.println(
                        "One-time sign-in link for " + name + " (valid " + Durations.format(valid) + ", works once):");
                cli.out.println(link);
            }
        }
        return 0;
    }

    private static int key(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        String name = KeysCommand.onePositional(args, "person name (expected: people key NAME)");
        try (Store store = cli.openStore(args)) {
            String secret = Cli.await(new PeopleAdmin(store, Clock.systemUTC()).keySecret(name));
            Audit.change(cli.actor, "people.key", "person:" + name, null, null);
            if (args.flag("json")) {
                cli.printJson(JsonNodeFactory.instance
                        .objectNode()
                        .put("person", name)
                        .put("secret", secret));
            } else {
                cli.out.println("New key secret for " + name + " (shown once; the previous one no longer works):");
                cli.out.println(secret);
            }
        }
        return 0;
    }

    private static int disable(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        String name = KeysCommand.onePositional(args, "person name (expected: people disable NAME)");
        try (Store store = cli.openStore(args)) {
            Person p = Cli.await(new PeopleAdmin(store, Clock.systemUTC()).disable(name));
            Audit.change(cli.actor, "people.disable", "person:" + p.name(), view(p.withEnabled(true)), view(p));
            if (args.flag("json")) {
                cli.printJson(view(p));
            } else {
                cli.out.println("Disabled " + p.name() + " and ended their sessions.");
            }
        }
        return 0;
    }

    private static int sessions(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        String name = args.positionals().isEmpty() ? null : KeysCommand.onePositional(args, "person name");
        try (Store store = cli.openStore(args)) {
            PeopleAdmin admin = new PeopleAdmin(store, Clock.systemUTC());
            List<SignInSession> sessions = Cli.await(admin.sessions(name));
            List<Person> people = Cli.await(admin.list());
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("SESSION", "PERSON", "SIGNED IN", "FROM", "CLIENT"));
            for (SignInSession s : sessions) {
                String who = people.stream()
                        .filter(p -> p.id().equals(s.personId()))
                        .map(Person::name)
                        .findFirst()
                        .orElse(s.personId());
                a.add(PeopleAdmin.view(s, who));
                rows.add(List.of(s.id(), who, s.createdAt().toString(), s.address(), s.client()));
            }
            if (args.flag("json")) {
                cli.printJson(a);
            } else {
                cli.out.println(Views.table(rows));
            }
        }
        return 0;
    }

    private static int revoke(Cli cli, Args args) {
        if (help(cli, args)) {
            return 0;
        }
        String id = KeysCommand.onePositional(args, "session id (expected: people revoke ID; see people sessions)");
        try (Store store = cli.openStore(args)) {
            boolean ended = Cli.await(new PeopleAdmin(store, Clock.systemUTC()).revoke(id));
            if (!ended) {
                throw new io.relaygate.core.GatewayException(
                        io.relaygate.core.ErrorKind.NOT_FOUND, "session " + id + " not found");
            }
            Audit.change(cli.actor, "people.revoke", "session:" + id, null, null);
            if (args.flag("json")) {
                cli.printJson(JsonNodeFactory.instance.objectNode().put("revoked", id));
            } else {
                cli.out.println("Ended session " + id + ".");
            }
        }
        return 0;
    }

    static ObjectNode view(Person p) {
        return PeopleAdmin.view(p);
    }
}
