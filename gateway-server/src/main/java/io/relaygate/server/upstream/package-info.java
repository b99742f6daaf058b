/**
 * Talking to upstream accounts: the pooled connections (transport, proxy, TLS, decompression), the requests as each
 * account kind wants them, subscription token refresh, and what the gateway reads from upstream answers (quota and
 * rate-limit headers, error bodies).
 */
@NullMarked
package io.relaygate.server.upstream;

import org.jspecify.annotations.NullMarked;
