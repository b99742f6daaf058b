/**
 * What a converted exchange needs besides the converters themselves, without channels: the conversion for one client
 * format and account ({@link Conversion}: request mapping, paths, the stream transcoder and whole-answer mapper), the
 * response side fed upstream bytes ({@link ResponseConversion}), and the usage taps of relayed streams
 * ({@link UsageTap}).
 */
@NullMarked
package io.relaygate.codec.convert;

import org.jspecify.annotations.NullMarked;
