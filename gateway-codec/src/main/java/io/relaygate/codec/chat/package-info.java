/**
 * Anthropic Messages ⇄ OpenAI Chat Completions conversion: request mapping, model mapping and tool-name shortening.
 * Pure functions over Jackson trees; no channels.
 */
@NullMarked
package io.relaygate.codec.chat;

import org.jspecify.annotations.NullMarked;
