package io.relaygate.server.exchange;

import io.relaygate.core.ClientKind;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.catalogue.PriceBasis;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one relayed request ended, with the usage seen. Produced once per request that reached RELAY, also when the
 * client went away or the upstream died mid-stream.
 *
 * @param requestId the gateway's request id
 * @param keyId id of the gateway key
 * @param keyName name of the gateway key
 * @param route the inbound route
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
 * @param leaseId the request's concurrency lease, when it is to be given back with the key's usage (a key with
 *     token or cost limits), or null when the request held none or it was given back already
 * @param clientVersion the client's version when identified (e.g. {@code 2.1.330}), or null
 * @param stream whether the client asked for a stream
 * @param messageCount entries of the request's messages (or Responses input items)
 * @param attempts accounts tried (0 when none was reached; more than 1 after failover)
 * @param error what went wrong, when it did: the gateway's error kind ({@code rate_limit}, {@code unavailable}, …),
 *     {@code upstream_<status>} for a relayed upstream error, or the upstream failure mid-stream; null on success
 * @param clientAddress the client's address (a trusted proxy's forwarded one, else the connection's)
 */
public record ExchangeOutcome(
        String requestId,
        String keyId,
        String keyName,
        Route route,
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
        @Nullable String leaseId,
        @Nullable String clientVersion,
        boolean stream,
        int messageCount,
        int attempts,
        @Nullable String error,
        String clientAddress) {

    /** How an exchange ended. */
    public enum End {
        /** The whole response reached the client. */
        COMPLETED,
        /** The client disconnected before the end. */
        CLIENT_CANCELLED,
        /** The upstream failed after the response started; the client got an error event or a cut. */
        UPSTREAM_FAILED_MID_STREAM,
        /** The gateway answered with an error before any upstream byte reached the client. */
        ERROR
    }
}
