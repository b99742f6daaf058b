/** A small OpenID Connect provider for tests: the identity provider a gateway's single sign-on talks to. */
@NullMarked
package io.relaygate.bench.idp;

import org.jspecify.annotations.NullMarked;
