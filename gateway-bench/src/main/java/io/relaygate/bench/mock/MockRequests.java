package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@link MockHandler} reads from a request besides its body's structure ({@link MockValidation}): the scenario a
 * directive or credential asks for, the upstream credential, the pacing headers; and the model list it answers.
 */
final class MockRequests {

    private static final Pattern DIRECTIVE = Pattern.compile("mock:([a-z0-9_\\-]+)");

    private MockRequests() {}

    static String models() {
        StringBuilder sb = new StringBuilder("{\"data\":[");
        String[][] models = {
            {"claude-opus-4-1", "Claude Opus 4.1"},
            {"claude-sonnet-4-5", "Claude Sonnet 4.5"},
            {"claude-haiku-4-5", "Claude Haiku 4.5"}
        };
        for (int i = 0; i < models.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"type\":\"model\",\"id\":\"")
                    .append(models[i][0])
                    .append("\",\"display_name\":\"")
                    .append(models[i][1])
                    .append("\",\"created_at\":\"2025-09-29T00:00:00Z\"}");
        }
        return sb.append("],\"has_more\":false,\"first_id\":\"claude-opus-4-1\",\"last_id\":\"claude-haiku-4-5\"}")
                .toString();
    }

    /**
     * The directive in the last user text, else the credential's scenario, else {@code text}. A conversation that
     * ends in tool results has no user text; only a {@code shell} directive before them still counts, so that scenario
     * can answer with the tool's output while other tool loops end with plain text.
     */
    static Scenario scenarioOf(JsonNode root, HttpHeaders headers) {
        Scenario s = directive(Conversation.lastUserText(root));
        if (s != null) {
            return s;
        }
        if (Conversation.toolOutput(root) != null
                && directive(Conversation.userTextBeforeTools(root)) == Scenario.SHELL) {
            return Scenario.SHELL;
        }
        String credential = credential(headers);
        if (credential != null && credential.startsWith("mock-")) {
            s = Scenario.of(credential.substring(5));
            if (s != null) {
                return s;
            }
        }
        return Scenario.TEXT;
    }

    /** The upstream credential the request carries: {@code x-api-key}, {@code api-key} or a bearer token. */
    static @Nullable String credential(HttpHeaders headers) {
        String credential = headers.get("x-api-key");
        if (credential == null) {
            credential = headers.get("api-key");
        }
        String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (credential == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            credential = auth.substring(7).trim();
        }
        return credential;
    }

    private static @Nullable Scenario directive(String text) {
        Matcher m = DIRECTIVE.matcher(text);
        while (m.find()) {
            Scenario s = Scenario.of(m.group(1));
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    static int intHeader(HttpHeaders h, String name, int fallback) {
        String v = h.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
