package io.relaygate.core;

/**
 * An inbound API route, resolved from the request line before the body is read. The server maps paths (with the
 * optional {@code /api}, {@code /claude} and {@code /openai} prefixes) onto these.
 */
public enum Route {
    MESSAGES(WireFormat.ANTHROPIC, true),
    COUNT_TOKENS(WireFormat.ANTHROPIC, true),
    MODELS(WireFormat.ANTHROPIC, false),
    CHAT_COMPLETIONS(WireFormat.OPENAI_CHAT, true),
    RESPONSES(WireFormat.OPENAI_RESPONSES, true);

    private final WireFormat format;
    private final boolean hasBody;

    Route(WireFormat format, boolean hasBody) {
        this.format = format;
        this.hasBody = hasBody;
    }

    /** The format the client speaks on this route, which is also the format of the errors it gets. */
    public WireFormat format() {
        return format;
    }

    /** Whether the route takes a JSON request body (POST) that the gateway skims. */
    public boolean hasBody() {
        return hasBody;
    }
}
