package io.relaygate.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.relaygate.core.Account;
import io.relaygate.core.ClientKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Route;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.config.MetricsConfig;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The exchanges' metrics: requests by route, client, status class and error; duration and time to first byte; active
 * requests and open streams; upstream attempts, failovers and errors by account; tokens and cost ({@link
 * UsageMeters}). Runs on the event loops for every request: meters are created once per label combination and then
 * found by array index or one map read of a name the caller already holds; counters are lock-free.
 */
final class MetricsListener implements ExchangeListener {

    /** Request duration buckets, seconds: from a quick count_tokens to a long agentic stream. */
    private static final Duration[] DURATION_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);

    /** Time-to-first-byte buckets, seconds: the upstream's think time dominates. */
    private static final Duration[] TTFB_BUCKETS = seconds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60);

    /** {@code status} label by status / 100: 0 for a client that left before any status. */
    private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    /** The {@code error} label's closed vocabulary: see {@link #errorIndex}. */
    private static final String[] ERRORS;

    private static final Map<String, Integer> ERROR_INDEX = new HashMap<>();
    private static final int NO_ERROR = 0;
    private static final int UPSTREAM_4XX = 1;
    private static final int UPSTREAM_5XX = 2;
    private static final int OTHER_ERROR = 3;
    /** The upstream's stream ended with its own error event (the kind is in the access log). */
    private static final int UPSTREAM_STREAM_ERROR = 4;

    /** Routes plus one for requests refused before a route was known (unknown path, unreadable request). */
    private static final int ROUTE_SLOTS = Route.values().length + 1;

    static {
        String[] fixed = {"none", "upstream_4xx", "upstream_5xx", "other", "upstream_stream_error"};
        ErrorKind[] kinds = ErrorKind.values();
        UpstreamFailure[] failures = UpstreamFailure.values();
        ERRORS = new String[fixed.length + kinds.length + failures.length];
        int i = 0;
        for (String f : fixed) {
            ERRORS[i++] = f;
        }
        for (ErrorKind k : kinds) {
            ERRORS[i++] = k.name().toLowerCase(Locale.ROOT);
        }
        for (UpstreamFailure f : failures) {
            ERRORS[i++] = f.name().toLowerCase(Locale.ROOT);
        }
        for (int j = ERRORS.length - 1; j >= 0; j--) {
            // an error kind and a failure may share a name (e.g. overloaded): one index for both
            ERROR_INDEX.put(ERRORS[j], j);
        }
    }

    private final MeterRegistry registry;
    private final AtomicReferenceArray<Counter> requests;
    private final EnumMap<Route, Timer> durations = new EnumMap<>(Route.class);
    private final EnumMap<Route, Timer> firstBytes = new EnumMap<>(Route.class);
    private final LongAdder active = new LongAdder();
    private final LongAdder streams = new LongAdder();
    private final CappedLabel<UpstreamMeters> accounts;
    private final UsageMeters usage;

    MetricsListener(MeterRegistry registry, MetricsConfig config) {
        this.registry = requireNonNull(registry, "registry");
        this.requests = new AtomicReferenceArray<>(
                ROUTE_SLOTS * ClientKind.values().length * STATUS_CLASSES.length * ERRORS.length);
        for (Route r : Route.values()) {
            String route = r.name().toLowerCase(Locale.ROOT);
            durations.put(
                    r,
                    Timer.builder("relaygate.request.duration")
                            .description("From the request head to the end of the response, by route")
                            .tag("route", route)
                            .serviceLevelObjectives(DURATION_BUCKETS)
                            .register(registry));
            firstBytes.put(
                    r,
                    Timer.builder("relaygate.request.ttfb")
                            .description("From the request head to the first response byte sent, by route")
                            .tag("route", route)
                            .serviceLevelObjectives(TTFB_BUCKETS)
                            .register(registry));
        }
        Gauge.builder("relaygate.requests.active", active, LongAdder::sum)
                .description("Requests admitted and not yet finished")
                .register(registry);
        Gauge.builder("relaygate.streams.open", streams, LongAdder::sum)
                .description("Streamed responses being sent to clients")
                .register(registry);
        // accounts are the operator's: a cap only guards against a runaway, not ordinary use
        this.accounts = new CappedLabel<>(1000, name -> new UpstreamMeters(registry, name));
        this.usage = new UsageMeters(registry, config);
    }

    @Override
    public void onStart() {
        active.increment();
    }

    @Override
    public void onStreamStart() {
        streams.increment();
    }

    @Override
    public void onAttempt(Account account) {
        accounts.get(account.name()).attempts.increment();
    }

    @Override
    public void onUpstreamFailure(Account account, UpstreamFailure failure, boolean failover) {
        UpstreamMeters m = accounts.get(account.name());
        m.error(failure).increment();
        if (failover) {
            m.failovers.increment();
        }
    }

    /** A request refused before admission: counted like any request, but it held no gauge and has no duration. */
    @Override
    public void onRefused(ExchangeOutcome o) {
        requestCounter(o).increment();
    }

    @Override
    public void onExchange(ExchangeOutcome o) {
        active.decrement();
        if (o.stream() && o.firstByteMillis() >= 0) {
            streams.decrement();
        }
        requestCounter(o).increment();
        Route route = requireNonNull(o.route(), "route");
        durations.get(route).record(o.durationMillis(), TimeUnit.MILLISECONDS);
        if (o.firstByteMillis() >= 0) {
            firstBytes.get(route).record(o.firstByteMillis(), TimeUnit.MILLISECONDS);
        }
        String account = o.account();
        if (o.end() == ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM && account != null) {
            accounts.get(account).midStream.increment();
        } else if (o.end() == ExchangeOutcome.End.UPSTREAM_ERROR && account != null) {
            accounts.get(account).streamError.increment();
        }
        usage.record(o.upstreamModel(), o.keyName(), o.usage(), o.costMicros());
    }

    private Counter requestCounter(ExchangeOutcome o) {
        int statusClass = Math.max(0, Math.min(5, o.status() / 100));
        int error = o.end() == ExchangeOutcome.End.UPSTREAM_ERROR
                ? UPSTREAM_STREAM_ERROR
                : errorIndex(o.error(), o.status());
        Route route = o.route();
        int routeSlot = route == null ? ROUTE_SLOTS - 1 : route.ordinal();
        int index =
                ((routeSlot * ClientKind.values().length + o.client().ordinal()) * STATUS_CLASSES.length + statusClass)
                                * ERRORS.length
                        + error;
        Counter c = requests.get(index);
        if (c == null) {
            c = Counter.builder("relaygate.requests")
                    .description("Requests the gateway read, by route, client, status class and error (refusals"
                            + " before admission included)")
                    .tag("route", route == null ? "none" : route.name().toLowerCase(Locale.ROOT))
                    .tag("client", o.client().wireName())
                    .tag("status", STATUS_CLASSES[statusClass])
                    .tag("error", ERRORS[error])
                    .register(registry);
            // registering twice returns the same meter, so a race here is harmless
            requests.set(index, c);
        }
        return c;
    }

    /**
     * The error label: {@code none}; the gateway's error kind; an upstream failure mid-stream;
     * {@code upstream_4xx}/{@code upstream_5xx} for a relayed upstream error (the exact status is in the access log);
     * {@code other} for anything else, so the label stays closed.
     */
    static int errorIndex(@Nullable String error, int status) {
        if (error == null) {
            return NO_ERROR;
        }
        if (error.startsWith("upstream_")) {
            return status >= 500 ? UPSTREAM_5XX : UPSTREAM_4XX;
        }
        Integer i = ERROR_INDEX.get(error);
        return i == null ? OTHER_ERROR : i;
    }

    static String errorLabel(@Nullable String error, int status) {
        return ERRORS[errorIndex(error, status)];
    }

    private static Duration[] seconds(double... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofNanos((long) (values[i] * 1e9));
        }
        return d;
    }

    /** One account's upstream counters. */
    private static final class UpstreamMeters {
        final Counter attempts;
        final Counter failovers;
        final Counter midStream;
        final Counter streamError;
        private final EnumMap<UpstreamFailure, Counter> errors = new EnumMap<>(UpstreamFailure.class);

        UpstreamMeters(MeterRegistry registry, String account) {
            attempts = Counter.builder("relaygate.upstream.attempts")
                    .description("Calls to an upstream account (first tries, failovers and retries)")
                    .tag("account", account)
                    .register(registry);
            failovers = Counter.builder("relaygate.upstream.failovers")
                    .description("Requests that moved on from this account to the next one")
                    .tag("account", account)
                    .register(registry);
            for (UpstreamFailure f : UpstreamFailure.values()) {
                errors.put(f, error(registry, account, f.name().toLowerCase(Locale.ROOT)));
            }
            midStream = error(registry, account, "mid_stream");
            streamError = error(registry, account, "stream_error");
        }

        private static Counter error(MeterRegistry registry, String account, String failure) {
            return Counter.builder("relaygate.upstream.errors")
                    .description("Upstream failures by account and kind (mid_stream: after the answer started;"
                            + " stream_error: the stream ended with the upstream's error event)")
                    .tag("account", account)
                    .tag("failure", failure)
                    .register(registry);
        }

        Counter error(UpstreamFailure f) {
            return requireNonNull(errors.get(f), "errors");
        }
    }
}
