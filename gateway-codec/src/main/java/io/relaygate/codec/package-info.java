/** Relaygate codec module. */
@NullMarked
package io.relaygate.codec;

import org.jspecify.annotations.NullMarked;
