/**
 * The pivot format's stream, Anthropic Messages events, as typed values read once ({@link AnthropicEventReader}) and
 * written once ({@link AnthropicEventWriter}); every transcoder to or from Anthropic speaks these events.
 */
@NullMarked
package io.relaygate.codec.anthropic;

import org.jspecify.annotations.NullMarked;
