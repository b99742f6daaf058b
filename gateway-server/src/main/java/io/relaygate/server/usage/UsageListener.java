package io.relaygate.server.usage;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.UsageRecorder;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.core.catalogue.PriceBasis;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.time.Clock;

/**
 * Turns every finished exchange into a usage record: per key always, per account and model when one was reached. A
 * request counts as an error when the client got an error status, the upstream died mid-stream (a stream cut short
 * included) or its stream ended with its own error event; a client that left early is not an error, and its tokens seen so far count. A key with token or cost limits has the record counted
 * against them at once, and gives the request's concurrency lease back in the same write. A model the catalogue prices
 * only by estimate or fallback is named in one WARN at its first use ({@link InexactPrices}).
 */
public final class UsageListener implements ExchangeListener {

    private final UsageRecorder recorder;
    private final Clock clock;
    private final InexactPrices inexact = new InexactPrices();

    public UsageListener(UsageRecorder recorder, Clock clock) {
        this.recorder = requireNonNull(recorder, "recorder");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void onExchange(ExchangeOutcome o) {
        if (o.pricing() != null && o.pricing() != PriceBasis.EXACT) {
            inexact.seen(o);
        }
        boolean error = o.isError();
        recorder.record(new UsageRecord(
                requireNonNull(o.keyId(), "keyId"),
                o.accountId(),
                o.upstreamModel(),
                UsageCounters.of(o.usage(), error, o.costMicros()),
                clock.instant(),
                o.tokenWindow(),
                o.keyLimitsUsage(),
                o.leaseId(),
                false,
                o.keyCostLimits()));
    }
}
