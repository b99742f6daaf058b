/**
 * The gateway's bootstrap: {@link io.relaygate.server.GatewayServer} builds the store, scheduler, pool and listeners,
 * and {@link io.relaygate.server.GatewayChannelInitializer} lays out each connection's pipeline from the role
 * packages below it ({@code pipeline}, {@code exchange}, {@code relay}, {@code upstream}, {@code admin}, {@code usage}).
 * Nothing but the command line depends on this package.
 */
@NullMarked
package io.relaygate.server;

import org.jspecify.annotations.NullMarked;
