package io.relaygate.accounts.ledger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One request as the ledger keeps it; the field names are the admin API's ({@code GET /admin/requests}), and the
 * stored form is this record as JSON.
 *
 * @param id the gateway's request id
 * @param time when the request ended
 * @param keyId the gateway key's id, or null when the request was refused before a key was found
 * @param keyName the key's name, or null likewise
 * @param client {@code claude-code}, {@code codex}, {@code sdk} or {@code other}
 * @param inbound the client's format: {@code anthropic}, {@code chat} or {@code responses} (null: no route)
 * @param model the model the client asked for, or null
 * @param status the HTTP status the client got (0: it left before one)
 * @param end how it ended: {@code COMPLETED}, {@code UPSTREAM_ERROR}, {@code UPSTREAM_FAILED_MID_STREAM},
 *     {@code CLIENT_CANCELLED}, {@code REFUSED} or {@code ERROR}
 * @param errorKind what went wrong, or null
 * @param pricing {@code exact} when the model has a price, else {@code unpriced}
 * @param attempts each upstream attempt, in order
 * @param candidates the accounts the scheduler offered, in its order
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RequestRecord(
        String id,
        Instant time,
        @Nullable String keyId,
        @Nullable String keyName,
        String client,
        @Nullable String inbound,
        @Nullable String model,
        int status,
        String end,
        @Nullable String errorKind,
        long durationMs,
        long ttfbMs,
        long inputTokens,
        long outputTokens,
        long cacheReadTokens,
        long cacheWriteTokens,
        double costUsd,
        String pricing,
        List<Attempt> attempts,
        List<Candidate> candidates) {

    public RequestRecord {
        requireNonNull(id, "id");
        requireNonNull(time, "time");
        requireNonNull(client, "client");
        requireNonNull(end, "end");
        requireNonNull(pricing, "pricing");
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    /** One upstream attempt: the account (by name), its status (0: no answer), time, reported tokens, failure. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Attempt(
            String account,
            int status,
            long durationMs,
            long inputTokens,
            long outputTokens,
            @Nullable String error) {
        public Attempt {
            requireNonNull(account, "account");
        }
    }

    /** An account the scheduler offered; {@code skipped} says why it was passed over, when it was (else null). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Candidate(String account, @Nullable String skipped) {
        public Candidate {
            requireNonNull(account, "account");
        }
    }

    /** Whether {@code key} names this record's key (by name or id). */
    public boolean hasKey(String key) {
        return key.equals(keyId) || key.equals(keyName);
    }

    /** Whether an attempt of this record went to the account named {@code account}. */
    public boolean triedAccount(String account) {
        for (Attempt a : attempts) {
            if (a.account().equals(account)) {
                return true;
            }
        }
        return false;
    }
}
