/** TODO */
@NullMarked
package io.relaygate.server.upstream;

import org.jspecify.annotations.NullMarked;
