/**
 * The inbound HTTP pipeline up to a whole, authenticated, skimmed and identified request: routing, the key check, body
 * aggregation, the skim, client identification and the key's rules, plus the error answers every stage shares. The
 * handler names and their order are in {@link io.relaygate.server.pipeline.PipelineNames}.
 */
@NullMarked
package io.relaygate.server.pipeline;

import org.jspecify.annotations.NullMarked;
