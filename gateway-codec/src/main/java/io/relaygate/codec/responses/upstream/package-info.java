/**
 * OpenAI Responses as the account's format ({@code openai-api}, {@code codex-oauth}) for Anthropic Messages clients:
 * the request mapped Anthropic → Responses (with what each Responses target needs), the answer mapped back Responses →
 * Anthropic (stream transcoder, whole answer). Pure functions and state machines over Jackson trees and bytes; no
 * channels.
 */
@NullMarked
package io.relaygate.codec.responses.upstream;

import org.jspecify.annotations.NullMarked;
