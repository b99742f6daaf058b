/**
 * OpenAI Responses API clients (Codex CLI) served by Anthropic Messages accounts: request mapping, the streaming
 * transcoder back to Responses events and the whole-response mapper. Pure functions and state machines over Jackson
 * trees and bytes; no channels.
 */
@NullMarked
package io.relaygate.codec.responses;

import org.jspecify.annotations.NullMarked;
