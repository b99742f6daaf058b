package io.relaygate.server.exchange;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Account;
import io.relaygate.core.UpstreamFailure;
import java.util.List;

/** Several listeners as one, called in order; the bootstrap's way to hand ADMIT the request log, usage and metrics. */
public final class ExchangeListeners implements ExchangeListener {

    private final ExchangeListener[] all;

    private ExchangeListeners(List<ExchangeListener> all) {
        this.all = all.toArray(new ExchangeListener[0]);
    }

    public static ExchangeListener of(List<ExchangeListener> listeners) {
        requireNonNull(listeners, "listeners");
        return listeners.size() == 1 ? listeners.get(0) : new ExchangeListeners(List.copyOf(listeners));
    }

    @Override
    public void onExchange(ExchangeOutcome outcome) {
        for (ExchangeListener l : all) {
            l.onExchange(outcome);
        }
    }

    @Override
    public void onRefused(ExchangeOutcome outcome) {
        for (ExchangeListener l : all) {
            l.onRefused(outcome);
        }
    }

    @Override
    public void onStart() {
        for (ExchangeListener l : all) {
            l.onStart();
        }
    }

    @Override
    public void onStreamStart() {
        for (ExchangeListener l : all) {
            l.onStreamStart();
        }
    }

    @Override
    public void onAttempt(Account account) {
        for (ExchangeListener l : all) {
            l.onAttempt(account);
        }
    }

    @Override
    public void onUpstreamFailure(Account account, UpstreamFailure failure, boolean failover) {
        for (ExchangeListener l : all) {
            l.onUpstreamFailure(account, failure, failover);
        }
    }
}
