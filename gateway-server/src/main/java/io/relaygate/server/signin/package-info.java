/**
 * Claude Code's sign-in to the gateway (the LLM gateway protocol): the OAuth discovery document, the device
 * authorization grant (RFC 8628), the token endpoint with refresh, revocation (RFC 7009), and the approval page a
 * person opens with the one-time sign-in link their operator made. ROUTE hands these paths over through
 * {@link io.relaygate.server.pipeline.AdminRoutes}; the tokens they issue are admitted by AUTH like keys.
 */
@NullMarked
package io.relaygate.server.signin;

import org.jspecify.annotations.NullMarked;
