/** Usage extraction from upstream answers (SSE streams and JSON bodies) without buffering or re-serializing them. */
@NullMarked
package io.relaygate.codec.usage;

import org.jspecify.annotations.NullMarked;
