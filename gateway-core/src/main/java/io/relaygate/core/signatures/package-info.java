/**
 * What identifies Claude Code and Codex CLI (user-agent prefixes, originators, their own system prompts) and the
 * headers the gateway sends on their subscription accounts: shipped data an operator overrides through the store.
 */
@NullMarked
package io.relaygate.core.signatures;

import org.jspecify.annotations.NullMarked;
