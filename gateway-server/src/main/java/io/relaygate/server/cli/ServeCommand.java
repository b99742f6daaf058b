package io.relaygate.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.server.GatewayServer;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code serve [--config FILE]}: starts the gateway on the configured store, says where it listens, which store it
 * uses and how to administer it, then blocks until the process is stopped (a shutdown hook closes the server, then
 * the store) or the calling thread is interrupted (tests), which closes both the same way.
 */
final class ServeCommand {

    static final String HELP = """
            Usage: relaygate serve [--config FILE] [--json]

            Starts the gateway. With no config and no REDIS_URL it uses the embedded store in ./data
            (RELAYGATE_DATA_DIR) and listens on 127.0.0.1:3000 (RELAYGATE_HOST, RELAYGATE_PORT).
            REDIS_URL=redis://... switches to the Redis store. --json prints the start-up facts as JSON.""";

    /** The admin commands work on the same store while the gateway runs. */
    static final String ADMIN_HINT = "relaygate keys|accounts|usage ... (same store, gateway running or not)";

    private ServeCommand() {}

    static int run(Cli cli, String[] rest) {
        Args args = Args.parse(rest, Set.of("config"), Set.of());
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        GatewayConfig config = cli.config(args.configFile());
        String password = cli.env.get(io.relaygate.server.admin.AdminPassword.ENV);
        if (password != null && !password.isEmpty()) {
            try {
                io.relaygate.server.admin.AdminPassword.check(password);
            } catch (IllegalArgumentException e) {
                throw new io.relaygate.server.admin.UsageException(
                        io.relaygate.server.admin.AdminPassword.ENV + ": " + e.getMessage());
            }
        }
        Store store = StoreFactory.open(config.store(), cli.env);
        GatewayServer server;
        java.util.Optional<String> generated;
        try {
            generated = Cli.await(io.relaygate.server.admin.AdminPassword.ensure(
                    store.admin(), cli.env.get(io.relaygate.server.admin.AdminPassword.ENV)));
            GatewayServer.Builder builder = GatewayServer.builder(config, store);
            io.relaygate.server.signin.SsoSettings sso;
            try {
                sso = io.relaygate.server.signin.SsoSettings.fromEnv(cli.env);
            } catch (IllegalArgumentException e) {
                throw new io.relaygate.server.admin.UsageException(e.getMessage());
            }
            if (sso != null) {
                builder.sso(sso);
            }
            server = builder.start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        AtomicBoolean closed = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (closed.compareAndSet(false, true)) {
                server.drain(config.server().drainTimeout());
                server.close();
                store.close();
            }
        };
        Thread hook = new Thread(
                () -> {
                    shutdown.run();
                    // A stop by signal (SIGTERM from systemd, Docker, a deploy) that drained cleanly is a clean exit:
                    // 0, not the JVM's 143. The hook runs only while serving (it is removed once serve returns).
                    Runtime.getRuntime().halt(0);
                },
                "relaygate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        announce(cli, args.flag("json"), baseUrl(config.server().host(), server.port()), store, generated.orElse(null));
        try {
            server.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown.run();
            removeHook(hook);
        }
        return 0;
    }

    private static void announce(
            Cli cli, boolean json, String base, Store store, @org.jspecify.annotations.Nullable String password) {
        if (json) {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("listening", base);
            n.put("store", store.describe());
            n.put("health", base + "/healthz");
            n.put("console", base + "/ui/");
            n.put("keyHolderPage", base + "/me");
            n.put("admin", ADMIN_HINT);
            if (password != null) {
                n.put("adminPassword", password);
            }
            cli.printJson(n);
        } else {
            cli.out.println("Relaygate listening on " + base);
            cli.out.println("Store: " + store.describe());
            cli.out.println("Health: " + base + "/healthz");
            cli.out.println("Console: " + base + "/ui/ (key holders: " + base + "/me)");
            if (password != null) {
                cli.out.println("Console admin password, shown only this once (reset: relaygate admin password):");
                cli.out.println(password);
            }
            cli.out.println("Admin: " + ADMIN_HINT);
        }
        cli.out.flush();
    }

    static String baseUrl(String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run, nothing to undo
        }
    }
}
