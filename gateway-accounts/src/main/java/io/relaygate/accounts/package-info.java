/**
 * The Store SPI (gateway keys and upstream accounts, all asynchronous), the API key service and the account choice;
 * nothing here knows HTTP or Netty handlers.
 */
@NullMarked
package io.relaygate.accounts;

import org.jspecify.annotations.NullMarked;
