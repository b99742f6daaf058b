/**
 * JMH benchmarks of the gateway's per-byte work, on captured client traffic: request skim, SSE framing and the stream
 * transcoders ({@code relaygate-bench.jar jmh}).
 */
@NullMarked
package io.relaygate.bench.jmh;

import org.jspecify.annotations.NullMarked;
