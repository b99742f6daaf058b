/**
 * People and their sign-ins: the {@link io.relaygate.accounts.people.Person} record that owns a key's rules and
 * usage, the store SPIs for people and for short-lived sign-in state, and the services that issue, check, rotate and
 * revoke signed-in tokens and run the RFC 8628 device authorization grant.
 */
@NullMarked
package io.relaygate.accounts.people;

import org.jspecify.annotations.NullMarked;
