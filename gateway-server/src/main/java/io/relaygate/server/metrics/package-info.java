/** Prometheus metrics: what the exchanges, the upstream attempts, the scheduler, the store and the JVM report. */
@NullMarked
package io.relaygate.server.metrics;

import org.jspecify.annotations.NullMarked;
