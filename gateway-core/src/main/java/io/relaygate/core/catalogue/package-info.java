/**
 * The model catalogue (prices, vendor, family and tier, context window and max output per model) and the cost of a
 * request's usage in micro-USD, with how exactly it was priced.
 */
@NullMarked
package io.relaygate.core.catalogue;

import org.jspecify.annotations.NullMarked;
