/** Coverage-guided fuzz tests (Jazzer) of the SSE parser, the request skim and every stream transcoder. */
@NullMarked
package io.relaygate.codec.fuzz;

import org.jspecify.annotations.NullMarked;
