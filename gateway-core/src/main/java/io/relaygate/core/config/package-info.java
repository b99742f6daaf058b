/** The immutable configuration tree, bound once from YAML plus environment overrides and validated at start. */
@NullMarked
package io.relaygate.core.config;

import org.jspecify.annotations.NullMarked;
