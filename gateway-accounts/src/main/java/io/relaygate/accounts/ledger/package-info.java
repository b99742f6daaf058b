/**
 * Per-request records: what each request was, how it ended, what each upstream attempt cost, kept bounded by the store
 * (a Redis stream of one entry per batch, trimmed to about N records, or rotating files on the embedded store) and read back by key, account and
 * time range for reconciling against a vendor's bill. Written in batches off the request's path ({@link RequestLog}).
 */
@NullMarked
package io.relaygate.accounts.ledger;

import org.jspecify.annotations.NullMarked;
