/**
 * Runtime state every gateway instance on the same backend shares: concurrency leases, request and token windows,
 * cost counters, sticky sessions, account conditions (cool-downs) and usage counters. Two backends with one contract:
 * Redis (one Lua script per admission, so several instances share the limits) and in-process.
 *
 * <p>Time is always passed in ({@code now}), never read from a clock here, so tests drive windows, leases and
 * cool-downs without sleeping; Redis' own expiry only garbage-collects keys, with slack, and never decides a limit.
 */
@NullMarked
package io.relaygate.accounts.state;

import org.jspecify.annotations.NullMarked;
