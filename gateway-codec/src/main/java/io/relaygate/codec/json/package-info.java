/** Pull-parser steps shared by the codec's streaming readers (skim, usage taps). */
@NullMarked
package io.relaygate.codec.json;

import org.jspecify.annotations.NullMarked;
