/** TODO */
@NullMarked
package io.relaygate.server.pipeline;

import org.jspecify.annotations.NullMarked;
