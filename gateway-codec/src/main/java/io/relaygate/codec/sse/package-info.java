/** Incremental Server-Sent Events framing over ByteBufs, for tapping streams the relay forwards untouched. */
@NullMarked
package io.relaygate.codec.sse;

import org.jspecify.annotations.NullMarked;
