package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.accounts.ledger.RequestRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Per-request records as the admin API ({@code GET /admin/requests}) and the CLI ({@code relaygate requests}) show
 * them: the query from {@code key}, {@code account}, {@code since}, {@code until} (an ISO-8601 instant, a date, or a
 * span back from now such as {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}) and {@code limit} (default 100, at most
 * 1000); the answer as JSON ({@code {"requests":[…],"next":null}}, newest first) or as CSV with one row per request
 * and its attempts in one column.
 */
public final class RequestsView {

    private static final ObjectMapper JSON = RequestRecords.json();

    /** The CSV columns, in order. */
    static final List<String> CSV_COLUMNS = List.of(
            "id",
            "time",
            "key_id",
            "key_name",
            "client",
            "inbound",
            "model",
            "status",
            "end",
            "error_kind",
            "duration_ms",
            "ttfb_ms",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "cost_usd",
            "pricing",
            "attempts");

    private RequestsView() {}

    /**
     * The query for these parameters (each may be null).
     *
     * @throws IllegalArgumentException naming the parameter and what it expects
     */
    public static RequestQuery query(
            @Nullable String key,
            @Nullable String account,
            @Nullable String since,
            @Nullable String until,
            @Nullable String limit,
            Instant now) {
        int n;
        try {
            n = limit == null || limit.isBlank() ? RequestQuery.DEFAULT_LIMIT : Integer.parseInt(limit.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "limit: " + limit + " (expected: a number from 1 to " + RequestQuery.MAX_LIMIT + ")");
        }
        if (n < 1 || n > RequestQuery.MAX_LIMIT) {
            throw new IllegalArgumentException(
                    "limit: " + n + " (expected: a number from 1 to " + RequestQuery.MAX_LIMIT + ")");
        }
        return new RequestQuery(
                blankToNull(key), blankToNull(account), instant("since", since, now), instant("until", until, now), n);
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** An ISO-8601 instant, a date (its start, UTC), or a span back from {@code now} ({@code 45s 15m 1h 7d}). */
    static @Nullable Instant instant(String name, @Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        char unit = Character.toLowerCase(v.charAt(v.length() - 1));
        String digits = v.substring(0, v.length() - 1);
        if ("smhdw".indexOf(unit) >= 0 && !digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
            long amount = Long.parseLong(digits);
            Duration span =
                    switch (unit) {
                        case 's' -> Duration.ofSeconds(amount);
                        case 'm' -> Duration.ofMinutes(amount);
                        case 'h' -> Duration.ofHours(amount);
                        case 'd' -> Duration.ofDays(amount);
                        default -> Duration.ofDays(7 * amount);
                    };
            return now.minus(span);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(name + ": " + v
                        + " (expected: an instant like 2026-12-06T22:00:00Z, a date, or a span like 1h or 7d)");
            }
        }
    }

    /** The admin API's JSON answer. */
    public static ObjectNode json(List<RequestRecord> records) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode list = n.putArray("requests");
        for (RequestRecord r : records) {
            list.add(JSON.valueToTree(r));
        }
        // every record asked for fits in one answer (limit ≤ 1000): there is no next page
        n.putNull("next");
        return n;
    }

    /** The CSV export: a header row, then one row per record; attempts as {@code account:status:ms:in:out[:error]}. */
    public static String csv(List<RequestRecord> records) {
        StringBuilder sb = new StringBuilder(128 + records.size() * 256);
        sb.append(String.join(",", CSV_COLUMNS)).append("\r\n");
        for (RequestRecord r : records) {
            StringBuilder attempts = new StringBuilder();
            for (RequestRecord.Attempt a : r.attempts()) {
                if (attempts.length() > 0) {
                    attempts.append(';');
                }
                attempts.append(a.account())
                        .append(':')
                        .append(a.status())
                        .append(':')
                        .append(a.durationMs())
                        .append(':')
                        .append(a.inputTokens())
                        .append(':')
                        .append(a.outputTokens());
                if (a.error() != null) {
                    attempts.append(':').append(a.error());
                }
            }
            List<String> cells = List.of(
                    r.id(),
                    r.time().toString(),
                    orEmpty(r.keyId()),
                    orEmpty(r.keyName()),
                    r.client(),
                    orEmpty(r.inbound()),
                    orEmpty(r.model()),
                    Integer.toString(r.status()),
                    r.end(),
                    orEmpty(r.errorKind()),
                    Long.toString(r.durationMs()),
                    Long.toString(r.ttfbMs()),
                    Long.toString(r.inputTokens()),
                    Long.toString(r.outputTokens()),
                    Long.toString(r.cacheReadTokens()),
                    Long.toString(r.cacheWriteTokens()),
                    String.format(Locale.ROOT, "%.6f", r.costUsd()),
                    r.pricing(),
                    attempts.toString());
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(cell(cells.get(i)));
            }
            sb.append("\r\n");
        }
        return sb.toString();
    }

    private static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }

    /** RFC 4180 quoting; a cell that a spreadsheet would run as a formula gets a leading quote. */
    static String cell(String value) {
        String v = value;
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 && !v.matches("-?[0-9.]+")) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
