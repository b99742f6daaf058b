/**
 * Amazon Bedrock's streamed answers: AWS event-stream frames carrying Anthropic events, decoded into Anthropic SSE.
 */
@NullMarked
package io.relaygate.codec.bedrock;

import org.jspecify.annotations.NullMarked;
