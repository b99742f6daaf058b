package io.relaygate.server.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import io.relaygate.accounts.CommandObserver;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.UsageRecorder;
import io.relaygate.core.config.MetricsConfig;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.pipeline.OpsEndpoints;
import io.relaygate.server.pipeline.Readiness;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's Prometheus registry and everything that feeds it: the exchange listener (per request), the store's
 * command observer (per Redis command), and the gauges read at scrape time (accounts, usage buffer, readiness, Netty
 * and JVM memory). One per running gateway; the bootstrap creates it when {@code metrics.enabled}.
 */
public final class GatewayMetrics implements OpsEndpoints.Scrape, AutoCloseable {

    /** A scrape does not wait longer than this for the scheduler's view of the accounts (then it shows the last). */
    private static final long ACCOUNTS_TIMEOUT_MILLIS = 2000;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetricsListener listener;
    private final RedisMeters redis;
    private final AccountGauges accounts;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Scheduler scheduler;

    public GatewayMetrics(
            MetricsConfig config,
            ByteBufAllocator allocator,
            Scheduler scheduler,
            UsageRecorder recorder,
            Readiness readiness) {
        requireNonNull(config, "config");
        requireNonNull(allocator, "allocator");
        requireNonNull(recorder, "recorder");
        requireNonNull(readiness, "readiness");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.listener = new MetricsListener(registry, config);
        this.redis = new RedisMeters(registry);
        this.accounts = new AccountGauges(registry);
        Gauge.builder("relaygate.usage.records.buffered", recorder, UsageRecorder::waiting)
                .description("Usage records kept in memory because the store did not take them yet")
                .register(registry);
        // Scheduler.admittedWithoutWaiting's two counts, in this order
        String[] outcomes = {"admitted", "refused_late"};
        for (int i = 0; i < outcomes.length; i++) {
            int at = i;
            FunctionCounter.builder("relaygate.admissions.local", scheduler, sc -> sc.admittedWithoutWaiting()[at])
                    .description("Requests an event loop admitted itself, their key far from its limits (Redis store)")
                    .tag("outcome", outcomes[i])
                    .register(registry);
        }
        Gauge.builder("relaygate.ready", readiness, r -> r.ready() ? 1 : 0)
                .description("1 while /readyz answers 200 (the store answers, not draining), else 0")
                .register(registry);
        bindNetty(allocator);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private void bindNetty(ByteBufAllocator allocator) {
        Gauge.builder("relaygate.netty.direct.memory.used", PlatformDependent::usedDirectMemory)
                .baseUnit("bytes")
                .description("Direct memory Netty has reserved (all allocators; -1 when Netty does not track it)")
                .register(registry);
        if (allocator instanceof ByteBufAllocatorMetricProvider) {
            ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) allocator).metric();
            Gauge.builder("relaygate.netty.allocator.used", m, ByteBufAllocatorMetric::usedDirectMemory)
                    .baseUnit("bytes")
                    .description("Memory held by the gateway's buffer allocator, by type")
                    .tag("type", "direct")
                    .register(registry);
            Gauge.builder("relaygate.netty.allocator.used", m, ByteBufAllocatorMetric::usedHeapMemory)
                    .baseUnit("bytes")
                    .description("Memory held by the gateway's buffer allocator, by type")
                    .tag("type", "heap")
                    .register(registry);
        }
    }

    /** The listener that measures every exchange (added beside the access log and the usage listener). */
    public ExchangeListener listener() {
        return listener;
    }

    /** The observer of the store's Redis commands. */
    public CommandObserver commandObserver() {
        return redis;
    }

    /**
     * Reads the accounts' state from the scheduler (its cached view: no store call most of the time), then renders the
     * registry in the Prometheus text format. Completes on the thread that had the view, or at once.
     */
    @Override
    public CompletionStage<String> scrape() {
        return scheduler
                .accountStatuses()
                .toCompletableFuture()
                .orTimeout(ACCOUNTS_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .handle((list, e) -> {
                    if (list != null) {
                        accounts.update(list);
                    }
                    return registry.scrape();
                });
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
