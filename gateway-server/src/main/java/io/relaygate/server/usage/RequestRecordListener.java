package io.relaygate.server.usage;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.ledger.RequestLog;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.core.Route;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns every request's outcome, refusals included, into a per-request record ({@link RequestRecord}) and queues it
 * on the {@link RequestLog}, which writes them to the store in batches off the request's path. Metadata only, like the
 * access log: never a body, a prompt or a credential.
 */
public final class RequestRecordListener implements ExchangeListener {

    private final RequestLog log;
    private final Clock clock;

    public RequestRecordListener(RequestLog log, Clock clock) {
        this.log = requireNonNull(log, "log");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void onExchange(ExchangeOutcome o) {
        log.record(record(o));
    }

    @Override
    public void onRefused(ExchangeOutcome o) {
        log.record(record(o));
    }

    RequestRecord record(ExchangeOutcome o) {
        List<RequestRecord.Attempt> attempts = new ArrayList<>(o.attemptLog().size());
        for (ExchangeOutcome.Attempt a : o.attemptLog()) {
            attempts.add(new RequestRecord.Attempt(
                    a.account(),
                    a.status(),
                    a.durationMillis(),
                    a.usage().inputTokens()
                            + a.usage().cacheReadInputTokens()
                            + a.usage().cacheCreationInputTokens(),
                    a.usage().outputTokens(),
                    a.error()));
        }
        List<RequestRecord.Candidate> candidates =
                new ArrayList<>(o.candidates().size() + o.skipped().size());
        for (String c : o.candidates()) {
            candidates.add(new RequestRecord.Candidate(c, null));
        }
        o.skipped().forEach((account, why) -> candidates.add(new RequestRecord.Candidate(account, why)));
        return new RequestRecord(
                o.requestId(),
                clock.instant(),
                o.keyId(),
                o.keyName(),
                o.client().wireName(),
                inbound(o.route()),
                o.model(),
                o.status(),
                o.end().name(),
                o.error(),
                o.durationMillis(),
                o.firstByteMillis(),
                o.usage().inputTokens(),
                o.usage().outputTokens(),
                o.usage().cacheReadInputTokens(),
                o.usage().cacheCreationInputTokens(),
                o.costMicros() / 1_000_000.0,
                o.pricing() == null ? "exact" : o.pricing().wireName(),
                attempts,
                candidates);
    }

    private static @Nullable String inbound(@Nullable Route route) {
        if (route == null) {
            return null;
        }
        switch (route.format()) {
            case ANTHROPIC:
                return "anthropic";
            case OPENAI_CHAT:
                return "chat";
            default:
                return "responses";
        }
    }
}
