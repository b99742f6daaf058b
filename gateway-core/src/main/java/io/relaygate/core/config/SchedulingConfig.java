package io.relaygate.core.config;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How the gateway shares accounts and counts their use.
 *
 * @param stickyTtl how long a session stays on its account after its last request
 * @param leaseTtl life of a concurrency lease without renewal; a running request renews its lease every third of it,
 *     so a killed instance's slots come back after at most this (15 s: a long stream costs one renewal per 5 s)
 * @param rateLimitCoolDown how long a 429 takes an account out when the upstream announced no reset
 * @param overloadCoolDown how long a 529 (overloaded) takes an account out
 * @param pricingFile a JSON or YAML price file overriding (per model) the shipped pricing table; null: shipped only
 * @param adminToken bearer token of the admin API ({@code /admin/…}); null: the admin API is off
 * @param staleFor how long, at most, keys and accounts read before a store outage are served while the store is away
 *     (counted from their last successful read)
 * @param usageJournal whether usage records are journalled on local disk ({@code store.dataDir}/usage-journal) before
 *     a request's end reaches the client, so a killed instance loses none: its next start writes them, once
 * @param storeBudget how long a request waits, at most, for each store read on its path (its key, the accounts, their
 *     conditions, its admission under the key's limits, a half-open account's trial): past it the request goes on as
 *     in a store outage (limits not enforced, keys and accounts as last read), so a slow store does not hold requests
 */
public record SchedulingConfig(
        Duration stickyTtl,
        Duration leaseTtl,
        Duration rateLimitCoolDown,
        Duration overloadCoolDown,
        @Nullable Path pricingFile,
        @Nullable String adminToken,
        Duration staleFor,
        boolean usageJournal,
        Duration storeBudget) {

    public static final Duration DEFAULT_STICKY_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_STALE_FOR = Duration.ofHours(1);
    public static final boolean DEFAULT_USAGE_JOURNAL = true;
    public static final Duration DEFAULT_RATE_LIMIT_COOL_DOWN = Duration.ofMinutes(1);
    public static final Duration DEFAULT_OVERLOAD_COOL_DOWN = Duration.ofMinutes(1);
    /**
     * 500 ms: hundreds of times a healthy Redis round trip (well under a millisecond on a LAN), a tenth of the
     * client's 5 s command timeout.
     */
    public static final Duration DEFAULT_STORE_BUDGET = Duration.ofMillis(500);

    public static SchedulingConfig defaults() {
        return new SchedulingConfig(
                DEFAULT_STICKY_TTL,
                DEFAULT_LEASE_TTL,
                DEFAULT_RATE_LIMIT_COOL_DOWN,
                DEFAULT_OVERLOAD_COOL_DOWN,
                null,
                null,
                DEFAULT_STALE_FOR,
                DEFAULT_USAGE_JOURNAL,
                DEFAULT_STORE_BUDGET);
    }

    public SchedulingConfig {
        Validation.positive("scheduling.stickyTtl", stickyTtl);
        Validation.positive("scheduling.leaseTtl", leaseTtl);
        Validation.positive("scheduling.rateLimitCoolDown", rateLimitCoolDown);
        Validation.positive("scheduling.overloadCoolDown", overloadCoolDown);
        Validation.positive("scheduling.staleFor", staleFor);
        Validation.positive("scheduling.storeBudget", storeBudget);
        if (leaseTtl.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new ConfigException("scheduling.leaseTtl: " + leaseTtl + " (expected: at least 3s)");
        }
        if (adminToken != null && adminToken.length() < 16) {
            throw new ConfigException(
                    "admin token (RELAYGATE_ADMIN_TOKEN): too short (expected: at least 16 characters)");
        }
    }

    public SchedulingConfig withAdminToken(@Nullable String value) {
        return new SchedulingConfig(
                stickyTtl,
                leaseTtl,
                rateLimitCoolDown,
                overloadCoolDown,
                pricingFile,
                value,
                staleFor,
                usageJournal,
                storeBudget);
    }

    public SchedulingConfig withCoolDowns(Duration rateLimit, Duration overload) {
        return new SchedulingConfig(
                stickyTtl, leaseTtl, rateLimit, overload, pricingFile, adminToken, staleFor, usageJournal, storeBudget);
    }

    public SchedulingConfig withLeaseTtl(Duration value) {
        return new SchedulingConfig(
                stickyTtl,
                value,
                rateLimitCoolDown,
                overloadCoolDown,
                pricingFile,
                adminToken,
                staleFor,
                usageJournal,
                storeBudget);
    }

    public SchedulingConfig withUsageJournal(boolean value) {
        return new SchedulingConfig(
                stickyTtl,
                leaseTtl,
                rateLimitCoolDown,
                overloadCoolDown,
                pricingFile,
                adminToken,
                staleFor,
                value,
                storeBudget);
    }

    public SchedulingConfig withStoreBudget(Duration value) {
        return new SchedulingConfig(
                stickyTtl,
                leaseTtl,
                rateLimitCoolDown,
                overloadCoolDown,
                pricingFile,
                adminToken,
                staleFor,
                usageJournal,
                value);
    }

    /** Never shows the admin token. */
    @Override
    public String toString() {
        return "SchedulingConfig[stickyTtl=" + stickyTtl + ", leaseTtl=" + leaseTtl + ", rateLimitCoolDown="
                + rateLimitCoolDown + ", overloadCoolDown=" + overloadCoolDown + ", pricingFile=" + pricingFile
                + ", adminToken=" + (adminToken == null ? "none" : "set") + ", staleFor=" + staleFor + ", usageJournal="
                + usageJournal + ", storeBudget=" + storeBudget + "]";
    }
}
