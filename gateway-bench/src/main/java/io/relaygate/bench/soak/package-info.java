/**
 * The soak driver ({@code relaygate-bench.jar soak}): mixed traffic in the three inbound formats at a fixed rate, with
 * a share of mock faults, for the long runs of {@code gateway-bench/run-soak.sh}.
 */
@NullMarked
package io.relaygate.bench.soak;

import org.jspecify.annotations.NullMarked;
