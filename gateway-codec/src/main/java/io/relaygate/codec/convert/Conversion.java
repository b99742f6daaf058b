package io.relaygate.codec.convert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.anthropic.AnthropicEventListener;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.AnthropicToChatRequest;
import io.relaygate.codec.chat.AnthropicToChatResponse;
import io.relaygate.codec.chat.AnthropicToChatStream;
import io.relaygate.codec.chat.ChatTarget;
import io.relaygate.codec.chat.ChatToAnthropicRequest;
import io.relaygate.codec.chat.ChatToAnthropicResponse;
import io.relaygate.codec.chat.ChatToAnthropicStream;
import io.relaygate.codec.chat.ModelLists;
import io.relaygate.codec.chat.ModelMapper;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.client.ClaudeCodeAdaptation;
import io.relaygate.codec.responses.inbound.AnthropicToResponsesResponse;
import io.relaygate.codec.responses.inbound.AnthropicToResponsesStream;
import io.relaygate.codec.responses.inbound.ResponsesToAnthropicRequest;
import io.relaygate.codec.responses.inbound.ResponsesTools;
import io.relaygate.codec.responses.upstream.AnthropicToResponsesRequest;
import io.relaygate.codec.responses.upstream.ResponsesTarget;
import io.relaygate.codec.responses.upstream.ResponsesToAnthropicResponse;
import io.relaygate.codec.responses.upstream.ResponsesToAnthropicStream;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.WireFormat;
import io.relaygate.core.catalogue.Catalogue;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A request whose client and account speak different formats: the mapped request, and the factories for the response
 * side (a stream transcoder and a whole-answer mapper). One per attempt.
 *
 * <p>Anthropic Messages is the pivot: each of the other two formats has a mapper to and from it, and the two OpenAI
 * formats reach each other through it (Chat → Messages → Responses, and back; streams through two transcoders in a
 * row, handing each other Anthropic events as values). Six direct mappers instead of six pairwise ones, at the cost
 * of one extra event hop on the two OpenAI ⇄ OpenAI paths.
 *
 * <p>Takes plain values (route, skimmed fields, client kind, account), so the server's relay only wires it in: it
 * sends {@link #body()} to {@link #pathAndQuery()} and feeds the answer to a {@link ResponseConversion}.
 */
public final class Conversion {

    /** Azure OpenAI's GA data-plane API version used for deployments. */
    static final String AZURE_API_VERSION = "2024-10-21";

    private static final ObjectMapper JSON = new ObjectMapper();

    // The upstream endpoints, below an account's base URL (the routes' canonical paths without gateway prefixes).
    private static final String MESSAGES_PATH = "/v1/messages";
    private static final String MODELS_PATH = "/v1/models";
    private static final String CHAT_COMPLETIONS_PATH = "/v1/chat/completions";
    private static final String RESPONSES_PATH = "/v1/responses";

    private final WireFormat client;
    private final WireFormat upstream;
    /** A model list: no body; only the whole answer is mapped. */
    private final boolean models;

    private final String clientModel;
    private final String upstreamModel;
    private final String pathAndQuery;
    private final ToolNames toolNames;
    private final ResponsesTools responsesTools;
    private final byte[] body;
    private final boolean includeUsage;
    /** The client asked for a stream. */
    private final boolean clientStream;

    private Conversion(
            WireFormat client,
            WireFormat upstream,
            String clientModel,
            String upstreamModel,
            String pathAndQuery,
            ToolNames toolNames,
            ResponsesTools responsesTools,
            byte[] body,
            boolean includeUsage,
            boolean clientStream,
            boolean models) {
        this.client = client;
        this.upstream = upstream;
        this.models = models;
        this.clientModel = clientModel;
        this.upstreamModel = upstreamModel;
        this.pathAndQuery = pathAndQuery;
        this.toolNames = toolNames;
        this.responsesTools = responsesTools;
        this.body = body;
        this.includeUsage = includeUsage;
        this.clientStream = clientStream;
    }

    /** The formats whose accounts may serve {@code route}, the route's own first. */
    public static List<WireFormat> servingFormats(Route route) {
        return switch (route) {
            // OpenAI accounts have no token counting: the gateway counts count_tokens requests for them itself.
            case MESSAGES, COUNT_TOKENS ->
                List.of(WireFormat.ANTHROPIC, WireFormat.OPENAI_CHAT, WireFormat.OPENAI_RESPONSES);
            // Model lists come from Anthropic and Chat accounts; the ChatGPT Codex backend has none.
            case MODELS -> List.of(WireFormat.ANTHROPIC, WireFormat.OPENAI_CHAT);
            case CHAT_COMPLETIONS -> List.of(WireFormat.OPENAI_CHAT, WireFormat.ANTHROPIC, WireFormat.OPENAI_RESPONSES);
            case RESPONSES -> List.of(WireFormat.OPENAI_RESPONSES, WireFormat.ANTHROPIC, WireFormat.OPENAI_CHAT);
            default -> List.of(route.format());
        };
    }

    /**
     * Whether requests on {@code route} need converting for {@code account}.
     *
     * @param openAiCaller whether a model list was asked for in OpenAI's shape (only read for {@link Route#MODELS})
     */
    public static boolean needed(Route route, boolean openAiCaller, Account account) {
        WireFormat upstream = account.kind().format();
        return switch (route) {
            case MESSAGES, CHAT_COMPLETIONS, RESPONSES -> upstream != route.format();
            // OpenAI and Anthropic list models in different shapes; both OpenAI formats share OpenAI's.
            case MODELS -> openAiCaller == (upstream == WireFormat.ANTHROPIC);
            default -> false;
        };
    }

    /**
     * Maps the request for the account.
     *
     * @param route the client's route
     * @param openAiCaller whether a model list was asked for in OpenAI's shape (only read for {@link Route#MODELS})
     * @param skim the request's skimmed fields (model, stream, include_usage)
     * @param client who sent it: a non-Claude-Code request on a {@code claude-oauth} account gets Claude Code's prompt
     * @param body the client's request body; read, not retained or released
     * @param account the account it goes to
     * @throws GatewayException INVALID_REQUEST when the body cannot be mapped
     */
    public static Conversion prepare(
            Route route, boolean openAiCaller, SkimmedRequest skim, ClientKind client, ByteBuf body, Account account) {
        return prepare(route, openAiCaller, skim, client, body, account, Catalogue.shipped());
    }

    /**
     * {@link #prepare(Route, boolean, SkimmedRequest, ClientKind, ByteBuf, Account)} with {@code catalogue} for the
     * tier convention of model maps and the upstream model's max output (the converted request's {@code max_tokens}
     * is clamped to it when the account sets no {@code max_output_tokens} of its own).
     */
    public static Conversion prepare(
            Route route,
            boolean openAiCaller,
            SkimmedRequest skim,
            ClientKind client,
            ByteBuf body,
            Account account,
            Catalogue catalogue) {
        requireNonNull(route, "route");
        requireNonNull(catalogue, "catalogue");
        requireNonNull(skim, "skim");
        requireNonNull(client, "client");
        requireNonNull(body, "body");
        WireFormat upstream = account.kind().format();
        if (route == Route.MODELS) {
            WireFormat clientFormat = openAiCaller ? WireFormat.OPENAI_CHAT : WireFormat.ANTHROPIC;
            return new Conversion(
                    clientFormat,
                    upstream,
                    "",
                    "",
                    MODELS_PATH,
                    new ToolNames(),
                    new ResponsesTools(),
                    new byte[0],
                    false,
                    false,
                    true);
        }
        JsonNode request;
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
            request = JSON.readTree((java.io.InputStream) in);
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.INVALID_REQUEST, "request body is not valid JSON");
        }
        if (request == null || !request.isObject()) {
            throw new GatewayException(ErrorKind.INVALID_REQUEST, "request body must be a JSON object");
        }
        WireFormat clientFormat = route.format();
        String clientModel = requireNonNull(skim.model(), "model");
        String upstreamModel = new ModelMapper(account.modelMap(), catalogue).upstreamModel(clientModel);
        Long maxOutput = maxOutput(account, catalogue, upstreamModel);
        ToolNames names = new ToolNames();
        ResponsesTools responsesTools = new ResponsesTools();

        ObjectNode anthropic =
                switch (clientFormat) {
                    case ANTHROPIC -> (ObjectNode) request;
                    case OPENAI_CHAT -> ChatToAnthropicRequest.map(request, upstreamModel);
                    case OPENAI_RESPONSES -> ResponsesToAnthropicRequest.map(request, upstreamModel, responsesTools);
                };
        ObjectNode mapped =
                switch (upstream) {
                    case ANTHROPIC -> {
                        if (ClaudeCodeAdaptation.needed(account.kind(), client)) {
                            ClaudeCodeAdaptation.prependSystemPrompt(anthropic);
                        }
                        // an OpenAI client's budget may exceed what the Claude model can write: Anthropic refuses that
                        if (clientFormat != WireFormat.ANTHROPIC
                                && maxOutput != null
                                && anthropic.path("max_tokens").asLong(0) > maxOutput) {
                            anthropic.put("max_tokens", maxOutput);
                        }
                        yield anthropic;
                    }
                    case OPENAI_CHAT ->
                        AnthropicToChatRequest.map(anthropic, ChatTarget.of(upstreamModel, maxOutput), names);
                    case OPENAI_RESPONSES ->
                        AnthropicToResponsesRequest.map(
                                anthropic,
                                new ResponsesTarget(
                                        upstreamModel, account.kind() == AccountKind.CODEX_OAUTH, maxOutput),
                                names);
                };
        boolean includeUsage = clientFormat == WireFormat.OPENAI_CHAT && skim.streamIncludeUsage();
        try {
            return new Conversion(
                    clientFormat,
                    upstream,
                    clientModel,
                    upstreamModel,
                    path(account, upstream, upstreamModel),
                    names,
                    responsesTools,
                    JSON.writeValueAsBytes(mapped),
                    includeUsage,
                    skim.stream(),
                    false);
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.API_ERROR, "could not encode the converted request");
        }
    }

    /** The path (and query) of {@code format}'s generation endpoint on {@code account}. */
    static String path(Account account, WireFormat format, String upstreamModel) {
        return switch (format) {
            case ANTHROPIC -> MESSAGES_PATH;
            case OPENAI_CHAT ->
                account.kind() == AccountKind.AZURE_OPENAI
                        ? "/openai/deployments/" + upstreamModel + "/chat/completions?api-version=" + AZURE_API_VERSION
                        : CHAT_COMPLETIONS_PATH;
            case OPENAI_RESPONSES -> responsesPath(account);
        };
    }

    /**
     * The Responses endpoint: {@code /v1/responses} on the OpenAI API; the ChatGPT Codex backend's base URL already
     * ends in {@code /backend-api/codex}, below which the endpoint is {@code /responses}.
     */
    public static String responsesPath(Account account) {
        return account.kind() == AccountKind.CODEX_OAUTH ? "/responses" : RESPONSES_PATH;
    }

    /** The client's model, shown back to it in the answer; empty for model lists. */
    String clientModel() {
        return clientModel;
    }

    /** The model the upstream runs (the account's mapping of the client's model); empty for model lists. */
    public String upstreamModel() {
        return upstreamModel;
    }

    /** The upstream path and query of the mapped request, below the account's base URL. */
    public String pathAndQuery() {
        return pathAndQuery;
    }

    /**
     * Whether a stream from the upstream is to be collected into a whole answer: a client that asked for one, served
     * by the ChatGPT Codex backend, which only streams.
     */
    boolean collectsStream() {
        return upstream == WireFormat.OPENAI_RESPONSES && !clientStream && !models;
    }

    /** The mapped body, a new buffer the caller owns. */
    public ByteBuf body() {
        return Unpooled.wrappedBuffer(body);
    }

    /** The format the account answers in. */
    WireFormat upstreamFormat() {
        return upstream;
    }

    /** The client's format, for errors the converter itself writes. */
    WireFormat clientFormat() {
        return client;
    }

    /** A transcoder from the account's stream to the client's, writing complete SSE events to {@code sink}. */
    public StreamTranscoder streamTranscoder(Consumer<byte[]> sink) {
        requireNonNull(sink, "sink");
        if (client == WireFormat.ANTHROPIC) {
            return toAnthropic(new AnthropicEventWriter(sink));
        }
        // Out of Anthropic: fed the upstream's bytes, or the events of a transcoder into Anthropic in front of it.
        if (client == WireFormat.OPENAI_CHAT) {
            AnthropicToChatStream toClient = new AnthropicToChatStream(clientModel, includeUsage, sink);
            return upstream == WireFormat.ANTHROPIC ? toClient : new ChainedTranscoder(toAnthropic(toClient), toClient);
        }
        AnthropicToResponsesStream toClient = new AnthropicToResponsesStream(clientModel, responsesTools, sink);
        return upstream == WireFormat.ANTHROPIC ? toClient : new ChainedTranscoder(toAnthropic(toClient), toClient);
    }

    /** Upstream (Chat or Responses) events to Anthropic events. */
    private StreamTranscoder toAnthropic(AnthropicEventListener out) {
        return upstream == WireFormat.OPENAI_CHAT
                ? new ChatToAnthropicStream(clientModel, toolNames, out)
                : new ResponsesToAnthropicStream(clientModel, toolNames, out);
    }

    /** The client's whole answer for the account's whole answer. */
    ObjectNode mapWhole(JsonNode answer) {
        if (models) {
            return client == WireFormat.ANTHROPIC
                    ? ModelLists.toAnthropic(answer)
                    : ModelLists.toOpenAi(answer, "anthropic");
        }
        JsonNode anthropic =
                switch (upstream) {
                    case ANTHROPIC -> answer;
                    case OPENAI_CHAT -> ChatToAnthropicResponse.map(answer, clientModel, toolNames);
                    case OPENAI_RESPONSES -> ResponsesToAnthropicResponse.map(answer, clientModel, toolNames);
                };
        return switch (client) {
            case ANTHROPIC -> (ObjectNode) anthropic;
            case OPENAI_CHAT -> AnthropicToChatResponse.map(anthropic, clientModel);
            case OPENAI_RESPONSES -> AnthropicToResponsesResponse.map(anthropic, clientModel, responsesTools);
        };
    }

    /** The tokens of the account's whole answer, in Anthropic's terms. */
    Usage wholeUsage(JsonNode answer) {
        if (models) {
            return Usage.ZERO;
        }
        return switch (upstream) {
            case ANTHROPIC -> AnthropicToChatResponse.usage(answer);
            case OPENAI_CHAT -> ChatToAnthropicResponse.usage(answer);
            case OPENAI_RESPONSES -> ResponsesToAnthropicResponse.usage(answer);
        };
    }

    /** The account's {@code max_output_tokens}, else the catalogue's max output of {@code upstreamModel}, else none. */
    private static @Nullable Long maxOutput(Account account, Catalogue catalogue, String upstreamModel) {
        String v = account.modelMap().get("max_output_tokens");
        if (v != null) {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                // not a number: the catalogue's figure applies
            }
        }
        return catalogue
                .find(upstreamModel)
                .map(e -> e.maxOutput() > 0 ? e.maxOutput() : null)
                .orElse(null);
    }
}
