package io.relaygate.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * What a subcommand runs with: its output streams, the environment, the user running it, and the way to the store. Commands block on the
 * store's futures: the CLI has no event loop to protect.
 */
public final class Cli {

    public static final ObjectMapper JSON = new ObjectMapper();

    /** Longest the CLI waits for one store operation. */
    private static final long STORE_TIMEOUT_SECONDS = 30;

    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    /** Who the audit log names for this command's changes: the operating-system user, "via cli". */
    final String actor;

    Cli(PrintStream out, PrintStream err, Map<String, String> env, @Nullable String user) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.actor = (user == null || user.isBlank() ? "unknown" : user) + " via cli";
    }

    /** The config {@code serve} would use, from {@code --config} (or none) and the environment. */
    GatewayConfig config(@Nullable Path file) {
        return ConfigLoader.load(file, env);
    }

    /** Opens the store {@code serve} would use. */
    Store openStore(Args args) {
        return StoreFactory.open(config(args.configFile()).store(), env);
    }

    void printJson(JsonNode node) {
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The result of {@code stage}; its failure is rethrown as it is (a GatewayException says what went wrong). */
    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(STORE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the store");
        } catch (TimeoutException e) {
            throw new IllegalStateException("the store did not answer within " + STORE_TIMEOUT_SECONDS + " s");
        }
    }
}
