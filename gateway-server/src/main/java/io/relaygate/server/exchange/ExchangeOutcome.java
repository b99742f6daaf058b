package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.ClientKind;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.catalogue.PriceBasis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How one request ended, with the usage seen. Produced once per request that reached ADMIT ({@link
 * ExchangeListener#onExchange}), also when the client went away or the upstream died mid-stream, and once per request
 * that ended before it ({@link ExchangeListener#onRefused}: refused by ROUTE, AUTH, SKIM or LIMITS, or left by its
 * client), so that every request the gateway read has exactly one.
 *
 * @param requestId the gateway's request id
 * @param keyId id of the gateway key, or null when the request was refused before one was found
 * @param keyName name of the gateway key, or null likewise
 * @param route the inbound route, or null when the path resolved to none (or the request could not be read)
 * @param client which client sent it
 * @param model the model the client asked for
 * @param accountId id of the upstream account that answered last, or null when none was reached
 * @param account its name, or null
 * @param upstreamModel the model the upstream ran (the account's mapping of {@code model} when converted), or null
 * @param status the HTTP status the client got (0 when the client left before any)
 * @param upstreamStatus the last status an upstream answered with (0: none answered, e.g. refused by the gateway)
 * @param end how it ended
 * @param usage tokens seen in the response
 * @param durationMillis from request head to end
 * @param firstByteMillis from request head to the first response byte sent to the client, or -1
 * @param costMicros cost of {@code usage} at the catalogue's price of {@code upstreamModel} (or, when no account was
 *     reached, of {@code model}), in micro-USD: never 0 for lack of a price (see {@code Catalogue.quote})
 * @param pricing how {@code costMicros} was priced (exact, estimated, unpriced), or null when there was no model
 * @param pricedAs the catalogue entry it was priced as ({@code fallback} when unpriced), or null with {@code pricing}
 * @param tokenWindow the key's token window, when it limits tokens (the tokens count there too)
 * @param keyLimitsUsage whether the key has token or cost limits (its usage must reach the store before its next
 *     admission)
 * @param keyCostLimits the usage buckets the key has cost limits for (of day, week and total): where its cost is
 *     counted at once, the rest of its usage following with the next batch
 * @param leaseId the request's concurrency lease, when it is to be given back with the key's usage (a key with
 *     token or cost limits), or null when the request held none or it was given back already
 * @param clientVersion the client's version when identified (e.g. {@code 2.1.330}), or null
 * @param stream whether the client asked for a stream
 * @param messageCount entries of the request's messages (or Responses input items)
 * @param attempts accounts tried (0 when none was reached; more than 1 after failover)
 * @param error what went wrong, when it did: the gateway's error kind ({@code rate_limit}, {@code unavailable}, …),
 *     {@code upstream_<status>} for a relayed upstream error, or the upstream failure mid-stream; null on success
 * @param clientAddress the client's address (a trusted proxy's forwarded one, else the connection's)
 * @param attemptLog every upstream attempt in order (failovers and retries included); empty when none was made
 * @param candidates the accounts the scheduler offered, in its order, by name; empty when none was asked for
 * @param skipped the accounts the scheduler passed over, by name, and why; empty when none was (or none was asked)
 */
public record ExchangeOutcome(
        String requestId,
        @Nullable String keyId,
        @Nullable String keyName,
        @Nullable Route route,
        ClientKind client,
        @Nullable String model,
        @Nullable String accountId,
        @Nullable String account,
        @Nullable String upstreamModel,
        int status,
        int upstreamStatus,
        End end,
        Usage usage,
        long durationMillis,
        long firstByteMillis,
        long costMicros,
        @Nullable PriceBasis pricing,
        @Nullable String pricedAs,
        @Nullable Duration tokenWindow,
        boolean keyLimitsUsage,
        java.util.Set<io.relaygate.accounts.state.Period> keyCostLimits,
        @Nullable String leaseId,
        @Nullable String clientVersion,
        boolean stream,
        int messageCount,
        int attempts,
        @Nullable String error,
        String clientAddress,
        List<Attempt> attemptLog,
        List<String> candidates,
        Map<String, String> skipped) {

    public ExchangeOutcome {
        keyCostLimits = java.util.Set.copyOf(keyCostLimits);
        attemptLog = List.copyOf(attemptLog);
        candidates = List.copyOf(candidates);
        skipped = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(skipped));
    }

    /** An outcome with no account passed over. */
    public ExchangeOutcome(
            String requestId,
            @Nullable String keyId,
            @Nullable String keyName,
            @Nullable Route route,
            ClientKind client,
            @Nullable String model,
            @Nullable String accountId,
            @Nullable String account,
            @Nullable String upstreamModel,
            int status,
            int upstreamStatus,
            End end,
            Usage usage,
            long durationMillis,
            long firstByteMillis,
            long costMicros,
            @Nullable PriceBasis pricing,
            @Nullable String pricedAs,
            @Nullable Duration tokenWindow,
            boolean keyLimitsUsage,
            java.util.Set<io.relaygate.accounts.state.Period> keyCostLimits,
            @Nullable String leaseId,
            @Nullable String clientVersion,
            boolean stream,
            int messageCount,
            int attempts,
            @Nullable String error,
            String clientAddress,
            List<Attempt> attemptLog,
            List<String> candidates) {
        this(
                requestId,
                keyId,
                keyName,
                route,
                client,
                model,
                accountId,
                account,
                upstreamModel,
                status,
                upstreamStatus,
                end,
                usage,
                durationMillis,
                firstByteMillis,
                costMicros,
                pricing,
                pricedAs,
                tokenWindow,
                keyLimitsUsage,
                keyCostLimits,
                leaseId,
                clientVersion,
                stream,
                messageCount,
                attempts,
                error,
                clientAddress,
                attemptLog,
                candidates,
                Map.of());
    }

    /**
     * One upstream attempt: the account, the status it answered with (0 when it did not answer), how long it took, the
     * tokens it reported (the answer's usage for the attempt that served; what an upstream reported before failing
     * otherwise) and what went wrong, if anything.
     */
    public record Attempt(
            String accountId,
            String account,
            int status,
            long durationMillis,
            Usage usage,
            @Nullable String error) {
        public Attempt {
            requireNonNull(accountId, "accountId");
            requireNonNull(account, "account");
            requireNonNull(usage, "usage");
        }
    }

    /** Whether the request counts as an error in usage and metrics. */
    public boolean isError() {
        return status >= 400 || end == End.UPSTREAM_FAILED_MID_STREAM || end == End.UPSTREAM_ERROR;
    }

    /** How an exchange ended. */
    public enum End {
        /** The whole response reached the client. */
        COMPLETED,
        /** The client disconnected before the end. */
        CLIENT_CANCELLED,
        /**
         * The upstream failed after the response started (reset, stall, or a stream that ended before its final
         * event); the client got an error event or a cut.
         */
        UPSTREAM_FAILED_MID_STREAM,
        /**
         * The upstream's stream ended with its own error event (Anthropic {@code error}, Responses
         * {@code response.failed}, a Chat error chunk), which the client got in its format.
         */
        UPSTREAM_ERROR,
        /** The gateway refused the request (key, rules, limits, path, bad request) before any upstream was asked. */
        REFUSED,
        /** The gateway answered with an error before any upstream byte reached the client. */
        ERROR
    }
}
