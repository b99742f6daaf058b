package io.relaygate.server.cli;

import io.relaygate.accounts.Store;
import io.relaygate.core.Secrets;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.CatalogueReader;
import io.relaygate.server.admin.CatalogueAdmin;
import io.relaygate.server.admin.UsageException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * {@code catalogue list [--model M]} and {@code catalogue update --file F | --url U}: the model catalogue every gateway
 * on the store prices with, read and replaced through the store (running gateways follow within the change channel's
 * latency, no restart).
 */
final class CatalogueCommand {

    static final String HELP = """
            Usage: relaygate catalogue list [--model M] [--json] [--config FILE]
                   relaygate catalogue update (--file F | --url U) [--json] [--config FILE]

            The model catalogue: prices per million tokens (input, output, cache writes 5m/1h, cache reads,
            long-context tariffs), vendor, family and tier, context window and max output per model.
            Gateways on the same store use an update within seconds, without a restart.

              list                  the catalogue in use (the stored one, else the shipped one)
                --model M           only models whose name contains M
              update                validate and store a whole catalogue (JSON or YAML, the shape of
                                    tools/catalogue/generate.py's output)
                --file F            read it from a file
                --url U             download it from U (http or https, at most 4 MiB)""";

    /** The most a downloaded catalogue may weigh. */
    static final int MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024;

    private CatalogueCommand() {}

    static int run(Cli cli, String sub, String[] rest) {
        return switch (sub) {
            case "list" -> list(cli, Args.parse(rest, Set.of("config", "model"), Set.of()));
            case "update" -> update(cli, Args.parse(rest, Set.of("config", "file", "url"), Set.of()));
            default -> throw new UsageException("unknown subcommand '" + sub + "' (expected: list or update)");
        };
    }

    private static int list(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        try (Store store = cli.openStore(args)) {
            Catalogue c = Cli.await(CatalogueAdmin.current(store));
            if (args.flag("json")) {
                cli.printJson(CatalogueAdmin.json(c));
            } else {
                cli.out.print(CatalogueAdmin.table(c, args.value("model")));
            }
        }
        return 0;
    }

    private static int update(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        String file = args.value("file");
        String url = args.value("url");
        if ((file == null) == (url == null)) {
            throw new UsageException("give one of --file F and --url U");
        }
        String where = file != null ? file : Secrets.redactUrl(url);
        String text = file != null ? CatalogueReader.readText(Path.of(file)) : download(url);
        try (Store store = cli.openStore(args)) {
            Catalogue c = Cli.await(CatalogueAdmin.update(store, where, text, cli.actor));
            if (args.flag("json")) {
                cli.printJson(CatalogueAdmin.json(c));
            } else {
                cli.out.println("Catalogue updated: " + c.entries().size() + " models as of " + c.asOf()
                        + "; gateways on this store use it within seconds.");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }

    /** The body of {@code url}, bounded; the URL in messages has its credentials redacted. */
    static String download(String url) {
        String shown = Secrets.redactUrl(url);
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url: " + shown + " (expected: an http or https URL)");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new UsageException("--url: " + shown + " (expected: an http or https URL)");
        }
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        try {
            HttpResponse<java.io.InputStream> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                byte[] body = in.readNBytes(MAX_DOWNLOAD_BYTES + 1);
                if (r.statusCode() != 200) {
                    throw new UsageException("--url: " + shown + " answered " + r.statusCode() + " (expected: 200)");
                }
                if (body.length > MAX_DOWNLOAD_BYTES) {
                    throw new UsageException("--url: " + shown + " is over " + MAX_DOWNLOAD_BYTES + " bytes");
                }
                return new String(body, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UsageException("--url: " + shown + " could not be read: " + Secrets.redact(e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("--url: " + shown + ": interrupted");
        }
    }
}
