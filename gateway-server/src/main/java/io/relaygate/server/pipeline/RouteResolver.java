package io.relaygate.server.pipeline;

import io.netty.handler.codec.http.HttpMethod;
import io.relaygate.core.Route;
import io.relaygate.core.WireFormat;
import org.jspecify.annotations.Nullable;

/**
 * Maps a request path (query string already removed) to a {@link Route}. Every API path is also served under the
 * {@code /api} and {@code /claude} prefixes (Claude Code keeps the path of its base URL) and OpenAI paths under
 * {@code /openai}.
 */
public final class RouteResolver {

    private RouteResolver() {}

    /** The route for {@code path}, or {@code null} when no API route has this path. */
    static @Nullable Route resolve(String path) {
        String p = stripPrefix(trimTrailingSlash(path));
        switch (p) {
            case "/v1/messages":
                return Route.MESSAGES;
            case "/v1/messages/count_tokens":
                return Route.COUNT_TOKENS;
            case "/v1/models":
                return Route.MODELS;
            case "/v1/chat/completions":
                return Route.CHAT_COMPLETIONS;
            case "/v1/responses", "/responses":
                return Route.RESPONSES;
            default:
                return null;
        }
    }

    /** The method a route accepts. */
    static HttpMethod method(Route route) {
        return route == Route.MODELS ? HttpMethod.GET : HttpMethod.POST;
    }

    /**
     * The format to answer errors in when the route is unknown: OpenAI's for OpenAI-looking paths, else Anthropic's.
     */
    static WireFormat errorFormat(String path) {
        if (path.startsWith("/openai/") || path.contains("/chat/") || path.contains("/responses")) {
            return WireFormat.OPENAI_CHAT;
        }
        return WireFormat.ANTHROPIC;
    }

    /** The path the upstream sees: the route's canonical path without the gateway's prefixes. */
    public static String upstreamPath(Route route) {
        switch (route) {
            case MESSAGES:
                return "/v1/messages";
            case COUNT_TOKENS:
                return "/v1/messages/count_tokens";
            case MODELS:
                return "/v1/models";
            case CHAT_COMPLETIONS:
                return "/v1/chat/completions";
            case RESPONSES:
                return "/v1/responses";
            default:
                throw new IllegalArgumentException("route: " + route);
        }
    }

    private static String trimTrailingSlash(String p) {
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String stripPrefix(String p) {
        for (String prefix : new String[] {"/api/openai", "/api", "/claude", "/openai"}) {
            if (p.startsWith(prefix + "/")) {
                return p.substring(prefix.length());
            }
        }
        return p;
    }
}
