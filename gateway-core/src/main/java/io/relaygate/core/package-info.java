/** Domain types shared by every module: keys, accounts, usage, routes, the error vocabulary and redaction. */
@NullMarked
package io.relaygate.core;

import org.jspecify.annotations.NullMarked;
