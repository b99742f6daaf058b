package io.relaygate.server.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Meters per value of a label that clients or operators choose (a model name, a key name), with a cap on how many
 * values get their own: the first {@code max} seen do, every later one shares the meters of {@link #OTHER}. A series
 * per value is a time series in Prometheus for as long as the gateway runs, so an unbounded label would be a leak.
 * Lookups are one map read of a string the caller already has; creation (rare) may race, which can let a handful more
 * than {@code max} in, never an unbounded number.
 */
final class CappedLabel<M> {

    static final String OTHER = "other";

    private final int max;
    private final Function<String, M> create;
    private final Map<String, M> meters = new ConcurrentHashMap<>();
    private final M other;

    CappedLabel(int max, Function<String, M> create) {
        this.max = max;
        this.create = requireNonNull(create, "create");
        this.other = create.apply(OTHER);
    }

    M get(String value) {
        M m = meters.get(value);
        if (m != null) {
            return m;
        }
        if (meters.size() >= max || OTHER.equals(value)) {
            return other;
        }
        return meters.computeIfAbsent(value, create);
    }
}
