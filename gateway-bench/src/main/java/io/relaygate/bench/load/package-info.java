/** The load driver ({@code relaygate-bench.jar load}): closed- and open-loop HTTP/1.1 load with SSE stream checks. */
@NullMarked
package io.relaygate.bench.load;

import org.jspecify.annotations.NullMarked;
