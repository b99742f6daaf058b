/** Which client sent a request (Claude Code, Codex CLI, other), with the evidence, from headers and skimmed fields. */
@NullMarked
package io.relaygate.codec.client;

import org.jspecify.annotations.NullMarked;
