/** TODO */
@NullMarked
package io.relaygate.server.usage;

import org.jspecify.annotations.NullMarked;
