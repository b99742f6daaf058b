package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.server.admin.Audit;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.signin.ManagedSettingsAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/** {@code settings show | set | remove}: the managed settings signed-in Claude Code clients receive, per group. */
final class SettingsCommand {

    static final String HELP = """
            Usage: relaygate settings <show|set|remove> [options]

              settings show [--group G]           print the settings (of group G, or of every group)
              settings set --group G --file F     give group G the Claude Code managed settings in F
                                                  (a managed-settings.json; --group '*' is everyone
                                                  whose groups have none)
              settings remove --group G           take group G's settings away

            Signed-in Claude Code clients fetch their settings from GET /managed/settings about
            once an hour. Every subcommand takes --json, --help and --config FILE.""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SettingsCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        Args args = Args.parse(rest, Set.of("config", "group", "file"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        try (Store store = cli.openStore(args)) {
            ManagedSettingsAdmin settings = new ManagedSettingsAdmin(store.documents());
            switch (sub) {
                case "show" -> {
                    ObjectNode groups =
                            (ObjectNode) Cli.await(settings.document()).get("groups");
                    String group = args.value("group");
                    JsonNode shown = group == null ? groups : groups.path(group);
                    if (shown.isMissingNode()) {
                        throw new UsageException("--group: " + group + " has no settings");
                    }
                    cli.printJson(shown);
                }
                case "set" -> {
                    String group = args.required("group");
                    Path file = Path.of(args.required("file"));
                    JsonNode read;
                    try {
                        read = JSON.readTree(Files.readString(file));
                    } catch (IOException e) {
                        throw new UsageException(
                                "--file: " + file + " cannot be read as JSON (" + e.getMessage() + ")");
                    }
                    if (read == null || !read.isObject()) {
                        throw new UsageException("--file: " + file + " is not a JSON object (a managed-settings.json)");
                    }
                    ManagedSettingsAdmin.Change c = Cli.await(settings.set(group, read, cli.actor, Instant.now()));
                    Audit.change(cli.actor, "settings.set", "settings:" + c.group(), c.before(), c.after());
                    cli.out.println("Group " + group + " now gets these settings (checksum "
                            + c.view().path("checksum").asText() + ").");
                }
                case "remove" -> {
                    String group = args.required("group");
                    ManagedSettingsAdmin.Change c;
                    try {
                        c = Cli.await(settings.remove(group, cli.actor, Instant.now()));
                    } catch (GatewayException e) {
                        if (e.kind() != ErrorKind.NOT_FOUND) {
                            throw e;
                        }
                        throw new UsageException("--group: " + group + " has no settings");
                    }
                    Audit.change(cli.actor, "settings.remove", "settings:" + c.group(), c.before(), null);
                    cli.out.println("Group " + group + " has no settings any more.");
                }
                default ->
                    throw new UsageException(
                            "unknown subcommand 'settings " + sub + "' (expected: show, set or remove)");
            }
        }
        return 0;
    }
}
