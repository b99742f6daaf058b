/** Streaming skim of request bodies for the few fields the gateway routes, limits and pins sessions on. */
@NullMarked
package io.relaygate.codec.skim;

import org.jspecify.annotations.NullMarked;
