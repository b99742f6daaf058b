/** TODO */
@NullMarked
package io.relaygate.server.relay;

import org.jspecify.annotations.NullMarked;
