package io.relaygate.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules for an account's extra upstream headers ({@link Account#headers()}): a name is an RFC 9110 token (section
 * 5.1), a value is visible ASCII, spaces and tabs (section 5.5, no CR or LF, so no header can be injected), and the
 * headers the gateway owns are refused: hop-by-hop ones (section 7.6.1), the framing and encoding the relay sets, and
 * every header that carries an account's credentials, which come from the account's credential only.
 */
public final class AccountHeaders {

    /** Most extra headers an account may have. */
    public static final int MAX_HEADERS = 32;

    /** Longest value, in characters. */
    public static final int MAX_VALUE_CHARS = 4096;

    /** Names the gateway sets itself (lower case). */
    private static final Set<String> OWNED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authorization",
            "proxy-authenticate",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            "content-length",
            "content-type",
            "content-encoding",
            "accept-encoding",
            "expect",
            "authorization",
            "x-api-key",
            "api-key",
            "x-goog-api-key",
            "chatgpt-account-id",
            "cookie",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256");

    private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

    private AccountHeaders() {}

    /**
     * {@code headers} checked and copied, in the given order; fails with an {@link IllegalArgumentException} naming the
     * header (never its value, which may be a secret).
     */
    public static Map<String, String> check(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return Map.of();
        }
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException(
                    "headers: " + headers.size() + " (expected: at most " + MAX_HEADERS + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        headers.forEach((name, value) -> {
            if (name == null || value == null) {
                throw new IllegalArgumentException("headers: a null name or value");
            }
            if (!isToken(name)) {
                throw new IllegalArgumentException(
                        "header name: '" + name + "' (expected: letters, digits and " + TOKEN_CHARS + ")");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (OWNED.contains(lower) || lower.startsWith("proxy-") || lower.startsWith("x-amz-")) {
                throw new IllegalArgumentException("header " + name
                        + ": the gateway sets it itself (hop-by-hop, framing or credentials; expected another"
                        + " name)");
            }
            if (!seen.add(lower)) {
                throw new IllegalArgumentException("header " + name + ": given twice");
            }
            if (value.length() > MAX_VALUE_CHARS || !isFieldValue(value)) {
                throw new IllegalArgumentException("header " + name + ": value not allowed (expected: at most "
                        + MAX_VALUE_CHARS + " printable ASCII characters, no line breaks)");
            }
            out.put(name, value.strip());
        });
        return Collections.unmodifiableMap(out);
    }

    /** Parses {@code Name: value} (the CLI's {@code --header}); fails naming the expectation. */
    public static Map.Entry<String, String> parseLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--header: expected 'Name: value'");
        }
        return Map.entry(
                line.substring(0, colon).strip(), line.substring(colon + 1).strip());
    }

    static boolean isToken(String s) {
        if (s.isEmpty() || s.length() > 100) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || TOKEN_CHARS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) {
                return false;
            }
        }
        return true;
    }
}
