/**
 * What happens with a finished exchange's outcome: the request log line and the usage record (counters, cost, the
 * key's token window).
 */
@NullMarked
package io.relaygate.server.usage;

import org.jspecify.annotations.NullMarked;
