package io.relaygate.server.exchange;

import io.relaygate.core.Account;
import io.relaygate.core.UpstreamFailure;

/**
 * Told of every finished exchange, on the event loop: keep it quick and never block. The other calls, which only the
 * metrics need, have empty defaults: every {@link #onStart()} is followed by exactly one {@link #onExchange}.
 */
@FunctionalInterface
public interface ExchangeListener {
    void onExchange(ExchangeOutcome outcome);

    /**
     * A request ended before it became an exchange: refused by ROUTE, AUTH, SKIM or LIMITS ({@code End.REFUSED}), or
     * left by its client ({@code End.CLIENT_CANCELLED}). Not preceded by {@link #onStart()}.
     */
    default void onRefused(ExchangeOutcome outcome) {}

    /** An exchange began: ADMIT took its request. */
    default void onStart() {}

    /** The exchange's streamed response (the client asked for a stream) started reaching the client. */
    default void onStreamStart() {}

    /** {@code account} is being tried (the first time, or after a failover or a retry). */
    default void onAttempt(Account account) {}

    /**
     * {@code account} failed the exchange before its answer started, as {@code failure}; {@code failover} when another
     * account is tried next.
     */
    default void onUpstreamFailure(Account account, UpstreamFailure failure, boolean failover) {}
}
