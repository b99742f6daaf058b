/** TODO */
@NullMarked
package io.relaygate.server.exchange;

import org.jspecify.annotations.NullMarked;
