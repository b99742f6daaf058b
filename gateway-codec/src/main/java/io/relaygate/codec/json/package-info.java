/**
 * Small helpers every part of the codec shares: pull-parser steps for the streaming readers (skim, usage taps) and the
 * stable ids the mappers derive from client and upstream values.
 */
@NullMarked
package io.relaygate.codec.json;

import org.jspecify.annotations.NullMarked;
