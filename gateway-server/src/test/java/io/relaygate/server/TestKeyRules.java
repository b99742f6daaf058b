package io.relaygate.server;

import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Key rules for tests that need the admission script to check every limit kind without ever refusing. */
public final class TestKeyRules {

    private TestKeyRules() {}

    /**
     * A concurrency limit, a request limit per hour and a $1,000 daily cost limit: every limit admit.lua checks, set
     * far above what the test sends.
     */
    public static KeyRules everyLimitFarAbove(int maxConcurrency, long maxRequestsPerHour) {
        return new KeyRules(
                maxConcurrency,
                maxRequestsPerHour,
                Duration.ofHours(1),
                null,
                null,
                1000.0,
                null,
                null,
                List.of(),
                List.of(),
                Set.of(),
                null,
                null,
                null);
    }
}
