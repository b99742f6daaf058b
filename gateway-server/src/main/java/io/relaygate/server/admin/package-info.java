/** TODO */
@NullMarked
package io.relaygate.server.admin;

import org.jspecify.annotations.NullMarked;
