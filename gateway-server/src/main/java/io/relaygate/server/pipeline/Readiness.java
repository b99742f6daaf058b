package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Whether this instance should get new requests, as {@code /readyz} tells the load balancer: ready unless one of its
 * checks says why not (the store is unreachable; the gateway is draining). {@code /healthz} is liveness only and
 * does not look here. Checks are asked on an event loop each time {@code /readyz} is called: they answer from what
 * they already know, at once.
 *
 * <p>Thread-safe; checks may be added while the gateway runs.
 */
public final class Readiness {

    /** One reason not to take requests. */
    @FunctionalInterface
    public interface Check {
        /** Why this instance is not ready now (shown in {@code /readyz}, never a secret), or null when it is. */
        @Nullable
        String notReadyReason();
    }

    private final List<Check> checks = new CopyOnWriteArrayList<>();

    /** Always ready until a check is added. */
    public Readiness() {}

    public Readiness add(Check check) {
        checks.add(requireNonNull(check, "check"));
        return this;
    }

    /** The first check's reason not to be ready, or null when every check is ready. */
    public @Nullable String notReadyReason() {
        for (Check c : checks) {
            String reason = c.notReadyReason();
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    /** Not ready once a stop began: nginx and orchestrators move new work elsewhere while in-flight work ends. */
    public static Check drainingCheck(Draining draining) {
        requireNonNull(draining, "draining");
        return () -> draining.draining() ? "draining" : null;
    }

    public boolean ready() {
        return notReadyReason() == null;
    }
}
