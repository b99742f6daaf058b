/** The {@code relaygate} command line: {@code serve} and the admin subcommands on the same store. */
@NullMarked
package io.relaygate.server.cli;

import org.jspecify.annotations.NullMarked;
