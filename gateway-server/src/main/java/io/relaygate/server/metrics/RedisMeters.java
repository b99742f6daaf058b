package io.relaygate.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.relaygate.accounts.CommandObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Redis command latency ({@code relaygate_redis_command_duration_seconds}) and failures
 * ({@code relaygate_redis_command_failures_total}) by command type, from the store's command events on Lettuce's I/O
 * threads. The command types the store uses are a small fixed set; the cap guards the label anyway.
 */
final class RedisMeters implements CommandObserver {

    private static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };

    private final CappedLabel<Timer> latency;
    private final CappedLabel<Counter> failures;

    RedisMeters(MeterRegistry registry) {
        latency = new CappedLabel<>(64, command -> Timer.builder("relaygate.redis.command.duration")
                .description("Redis commands answered, by command type: time from sending to the answer")
                .tag("command", command)
                .serviceLevelObjectives(BUCKETS)
                .register(registry));
        failures = new CappedLabel<>(64, command -> Counter.builder("relaygate.redis.command.failures")
                .description("Redis commands that failed (error answer, timeout, no connection), by command type")
                .tag("command", command)
                .register(registry));
    }

    @Override
    public void succeeded(String command, long nanos) {
        latency.get(command).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(String command) {
        failures.get(command).increment();
    }
}
