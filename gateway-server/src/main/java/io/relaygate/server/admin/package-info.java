/**
 * The operator's side of the gateway, shared by the admin API ({@link io.relaygate.server.admin.AdminApi}, under
 * {@code /admin/} on the gateway's port) and the command line: adding and resuming accounts, sign-ins, the JSON views of
 * keys and accounts (never a credential), and the audit log of every change.
 */
@NullMarked
package io.relaygate.server.admin;

import org.jspecify.annotations.NullMarked;
