/**
 * The Netty side of the gateway: bootstrap, the inbound pipeline (route, authenticate, aggregate, skim, relay), the
 * pooled upstream client and the relay with backpressure.
 */
@NullMarked
package io.relaygate.server;

import org.jspecify.annotations.NullMarked;
