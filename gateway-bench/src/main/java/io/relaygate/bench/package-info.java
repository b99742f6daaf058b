/** Relaygate bench module. */
@NullMarked
package io.relaygate.bench;

import org.jspecify.annotations.NullMarked;
