package io.relaygate.server.exchange;

/** Told of every finished exchange, on the event loop: keep it quick and never block. */
@FunctionalInterface
public interface ExchangeListener {
    void onExchange(ExchangeOutcome outcome);
}
