/**
 * The two Store backends (embedded files and Redis), opened through {@link io.relaygate.accounts.store.StoreFactory},
 * and the at-rest encryption of account credentials.
 */
@NullMarked
package io.relaygate.accounts.store;

import org.jspecify.annotations.NullMarked;
