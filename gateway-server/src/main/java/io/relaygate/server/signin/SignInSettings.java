package io.relaygate.server.signin;

import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.SignInTokens;
import java.time.Clock;
import java.time.Duration;

/**
 * The sign-in's times, as named defaults: how long an access token, a sign-in and a device code last, and the poll
 * interval. Claude Code refreshes an access token before it runs out, so a short one costs a refresh an hour, and a
 * revoked or deprovisioned person is out within that time on every instance even if a revocation was missed.
 */
public final class SignInSettings {

    /** How long an access token is accepted. */
    public static final Duration ACCESS_TOKEN_TTL = Duration.ofHours(1);

    /** How long a sign-in lasts before the person signs in again (the refresh token's life). */
    public static final Duration SESSION_TTL = Duration.ofDays(30);

    /** How long a device code waits for approval (RFC 8628 {@code expires_in}). */
    public static final Duration DEVICE_CODE_TTL = Duration.ofMinutes(10);

    /** The poll interval Claude Code is told (RFC 8628 {@code interval}), seconds. */
    public static final int POLL_INTERVAL_SECONDS = 5;

    /** How long a one-time sign-in link made by the operator stays usable, unless they say otherwise. */
    public static final Duration LINK_TTL = Duration.ofDays(7);

    private SignInSettings() {}

    public static SignInTokens tokens(Store store, Clock clock) {
        return tokens(store, clock, ACCESS_TOKEN_TTL);
    }

    /** With access tokens of {@code accessTtl} (a test's shorter one). */
    public static SignInTokens tokens(Store store, Clock clock, Duration accessTtl) {
        return new SignInTokens(store.signIns(), store.keys().hasher(), clock, accessTtl, SESSION_TTL);
    }

    public static DeviceGrants grants(Store store, Clock clock) {
        return new DeviceGrants(store.signIns(), clock, DEVICE_CODE_TTL, POLL_INTERVAL_SECONDS);
    }
}
