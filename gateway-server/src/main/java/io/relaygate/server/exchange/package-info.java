/**
 * One request from admission to outcome: ADMIT ({@link io.relaygate.server.exchange.AdmissionHandler}) makes the one
 * scheduler call and answers refusals; an {@link io.relaygate.server.exchange.Exchange} owns the request, its lease, its
 * usage and its outcome; {@link io.relaygate.server.exchange.AccountAttempts} owns failover, cool-down reports and the
 * token refresh-then-retry rules. Nothing here opens a connection.
 */
@NullMarked
package io.relaygate.server.exchange;

import org.jspecify.annotations.NullMarked;
