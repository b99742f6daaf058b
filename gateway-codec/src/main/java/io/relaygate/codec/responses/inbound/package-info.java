/**
 * OpenAI Responses as the client's format (Codex CLI) on Anthropic Messages accounts: the request mapped Responses →
 * Anthropic, the answer mapped back Anthropic → Responses (stream transcoder, whole answer, the Responses SSE event
 * writer), and the per-request tool memory that connects the two. Pure functions and state machines over Jackson
 * trees and bytes; no channels.
 */
@NullMarked
package io.relaygate.codec.responses.inbound;

import org.jspecify.annotations.NullMarked;
