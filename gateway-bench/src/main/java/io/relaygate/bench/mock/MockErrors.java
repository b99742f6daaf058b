package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * The mock's error answers, a closed set, each with its status and body in the request's format: Anthropic's
 * {@code {"type":"error","error":{type,message}}}, or OpenAI's {@code {"error":{message,type,param,code}}}. Chat
 * answers keep the mock's earlier short form (type = code); Responses answers use the types and codes the OpenAI API
 * sends.
 */
final class MockErrors {

    enum Kind {
        RATE_LIMITED,
        /** Anthropic's 529; OpenAI has no 529, its overload answer is a 503. */
        OVERLOADED,
        SERVER,
        UNAUTHORIZED,
        NOT_FOUND,
        BAD_REQUEST,
    }

    private MockErrors() {}

    /**
     * The HTML page a proxy in front of an upstream answers when the upstream took too long: nginx's 504 or
     * Cloudflare's 524 ("A timeout occurred"), not the provider's JSON.
     */
    static String timeoutPage(int status) {
        String title = status == 524 ? "524: A timeout occurred" : "504 Gateway Time-out";
        return "<html><head><title>" + title + "</title></head><body><center><h1>" + title
                + "</h1></center></body></html>\n";
    }

    static int status(Kind kind, WireApi api) {
        switch (kind) {
            case RATE_LIMITED:
                return 429;
            case OVERLOADED:
                return api.openAi() ? 503 : 529;
            case SERVER:
                return 500;
            case UNAUTHORIZED:
                return 401;
            case NOT_FOUND:
                return 404;
            default:
                return 400;
        }
    }

    /** The body; {@code detail} is the request line for NOT_FOUND and the reason for BAD_REQUEST. */
    static String body(Kind kind, WireApi api, String detail) {
        switch (api) {
            case ANTHROPIC:
                return anthropic(kind, detail);
            case CHAT:
                return chat(kind, detail);
            default:
                return responses(kind, detail);
        }
    }

    private static String anthropic(Kind kind, String detail) {
        String type;
        String message;
        switch (kind) {
            case RATE_LIMITED:
                type = "rate_limit_error";
                message = "Number of requests has exceeded your rate limit";
                break;
            case OVERLOADED:
                type = "overloaded_error";
                message = "Overloaded";
                break;
            case SERVER:
                type = "api_error";
                message = "Internal server error";
                break;
            case UNAUTHORIZED:
                type = "authentication_error";
                message = "invalid x-api-key";
                break;
            case NOT_FOUND:
                type = "not_found_error";
                message = "Not found: " + detail;
                break;
            default:
                type = "invalid_request_error";
                message = detail;
                break;
        }
        ObjectNode body = AnthropicScript.JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return body.toString();
    }

    private static String chat(Kind kind, String detail) {
        switch (kind) {
            case RATE_LIMITED:
                return openAi(
                        "Number of requests has exceeded your rate limit",
                        "rate_limit_exceeded",
                        "rate_limit_exceeded");
            case OVERLOADED:
                return openAi("Overloaded", "server_error", "server_error");
            case SERVER:
                return openAi("Internal server error", "server_error", "server_error");
            case UNAUTHORIZED:
                return openAi("invalid x-api-key", "invalid_api_key", "invalid_api_key");
            case NOT_FOUND:
                return openAi("Not found: " + detail, "invalid_request_error", "invalid_request_error");
            default:
                return openAi(detail, "invalid_request_error", "invalid_request_error");
        }
    }

    private static String responses(Kind kind, String detail) {
        switch (kind) {
            case RATE_LIMITED:
                return openAi(
                        "Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1."
                                + " Please try again in 2s.",
                        "requests",
                        "rate_limit_exceeded");
            case OVERLOADED:
                return openAi("The server is overloaded or not ready yet.", "server_error", null);
            case SERVER:
                return openAi(
                        "The server had an error while processing your request. Sorry about that!",
                        "server_error",
                        null);
            case UNAUTHORIZED:
                return openAi("Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            case NOT_FOUND:
                return openAi("Invalid URL (" + detail + ")", "invalid_request_error", null);
            default:
                return openAi(detail, "invalid_request_error", null);
        }
    }

    /**
     * A 401 body for a refused bearer: Anthropic's {@code authentication_error}, or OpenAI's error object with
     * {@code code}.
     */
    static String authentication(WireApi api, String message, @Nullable String code) {
        if (api.openAi()) {
            return openAi(message, "invalid_request_error", code);
        }
        ObjectNode body = AnthropicScript.JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", "authentication_error").put("message", message);
        return body.toString();
    }

    /** OpenAI's {@code {"error":{message,type,param,code}}}. */
    static String openAiError(String message, String type, @Nullable String code) {
        return openAi(message, type, code);
    }

    private static String openAi(String message, String type, @Nullable String code) {
        ObjectNode body = AnthropicScript.JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        error.putNull("param");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return body.toString();
    }
}
