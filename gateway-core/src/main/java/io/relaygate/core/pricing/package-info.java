/** Per-model token prices (shipped list plus an optional override file) and the cost of a request's usage in micro-USD. */
@NullMarked
package io.relaygate.core.pricing;

import org.jspecify.annotations.NullMarked;
