/**
 * The project's mock upstream AI provider: a small Netty server that answers like the Anthropic Messages API, OpenAI
 * Chat Completions and the OpenAI Responses API (JSON and SSE, tool use, thinking, scripted faults and pacing), plays
 * the Claude and OpenAI OAuth token endpoints, optionally over TLS, and records what it received and sent, for the
 * gateway's tests, demos and benchmarks.
 */
@NullMarked
package io.relaygate.bench.mock;

import org.jspecify.annotations.NullMarked;
