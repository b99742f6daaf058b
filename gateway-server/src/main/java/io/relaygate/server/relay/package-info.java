/**
 * RELAY: sends an admitted exchange's request to its accounts in turn and streams the answer back, one
 * {@link io.relaygate.server.relay.UpstreamCall} per attempt, with backpressure, keep-alives and timeouts; the client's
 * side of an answer is relayed as it is or converted ({@link io.relaygate.server.relay.ClientResponse}).
 */
@NullMarked
package io.relaygate.server.relay;

import org.jspecify.annotations.NullMarked;
