package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
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
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.WireFormat;
import java.io.IOException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A request whose client and account speak different formats: the mapped request, and the factories for the response
 * side (a stream transcoder and a whole-answer mapper). One per attempt. Directions: Anthropic Messages client on an
 * OpenAI Chat account, and OpenAI Chat client on an Anthropic account.
 */
final class Conversion {

    /** Azure OpenAI's GA data-plane API version used for deployments. */
    static final String AZURE_API_VERSION = "2024-10-21";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean toChat;
    /** A model list: no body; only the whole answer is mapped. */
    private final boolean models;

    final String clientModel;
    /** The model the upstream runs (the account's mapping of the client's model); empty for model lists. */
    final String upstreamModel;

    final String pathAndQuery;
    private final ToolNames toolNames;
    private final byte[] body;
    private final boolean includeUsage;

    private Conversion(
            boolean toChat,
            String clientModel,
            String upstreamModel,
            String pathAndQuery,
            ToolNames toolNames,
            byte[] body,
            boolean includeUsage,
            boolean models) {
        this.toChat = toChat;
        this.models = models;
        this.clientModel = clientModel;
        this.upstreamModel = upstreamModel;
        this.pathAndQuery = pathAndQuery;
        this.toolNames = toolNames;
        this.body = body;
        this.includeUsage = includeUsage;
    }

    /** The formats whose accounts may serve {@code route}, the route's own first. */
    static java.util.List<WireFormat> servingFormats(Route route) {
        return switch (route) {
            case MESSAGES, COUNT_TOKENS, MODELS -> java.util.List.of(WireFormat.ANTHROPIC, WireFormat.OPENAI_CHAT);
            case CHAT_COMPLETIONS -> java.util.List.of(WireFormat.OPENAI_CHAT, WireFormat.ANTHROPIC);
            default -> java.util.List.of(route.format());
        };
    }

    /** Whether requests on {@code route} need converting for {@code account}. */
    static boolean needed(RequestInfo info, Account account) {
        WireFormat upstream = account.kind().format();
        return switch (info.route) {
            case MESSAGES -> upstream == WireFormat.OPENAI_CHAT;
            case CHAT_COMPLETIONS -> upstream == WireFormat.ANTHROPIC;
            case MODELS -> info.openAiCaller != (upstream == WireFormat.OPENAI_CHAT);
            default -> false;
        };
    }

    /**
     * Maps the request for the account.
     *
     * @throws GatewayException INVALID_REQUEST when the body cannot be mapped
     */
    static Conversion prepare(ProxyRequest proxy, Account account) {
        if (proxy.info.route == Route.MODELS) {
            // toChat here means "the client speaks Anthropic": the list comes back in Anthropic's shape.
            return new Conversion(
                    !proxy.info.openAiCaller,
                    "",
                    "",
                    RouteResolver.upstreamPath(Route.MODELS),
                    new ToolNames(),
                    new byte[0],
                    false,
                    true);
        }
        JsonNode request;
        try (ByteBufInputStream in =
                new ByteBufInputStream(proxy.request.content().duplicate())) {
            request = JSON.readTree((java.io.InputStream) in);
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.INVALID_REQUEST, "request body is not valid JSON");
        }
        String clientModel = requireNonNull(proxy.skim.model(), "model");
        String upstreamModel = new ModelMapper(account.modelMap()).upstreamModel(clientModel);
        ToolNames names = new ToolNames();
        boolean toChat = proxy.info.route == Route.MESSAGES;
        ObjectNode mapped = toChat
                ? AnthropicToChatRequest.map(request, ChatTarget.of(upstreamModel, maxOutput(account)), names)
                : ChatToAnthropicRequest.map(request, upstreamModel);
        String path = toChat ? chatPath(account, upstreamModel) : RouteResolver.upstreamPath(Route.MESSAGES);
        try {
            return new Conversion(
                    toChat,
                    clientModel,
                    upstreamModel,
                    path,
                    names,
                    JSON.writeValueAsBytes(mapped),
                    proxy.skim.streamIncludeUsage(),
                    false);
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.API_ERROR, "could not encode the converted request");
        }
    }

    /** The mapped body; the caller owns the buffer. */
    ByteBuf body() {
        return Unpooled.wrappedBuffer(body);
    }

    /** The client's format, for errors the converter itself writes. */
    WireFormat clientFormat() {
        return toChat ? WireFormat.ANTHROPIC : WireFormat.OPENAI_CHAT;
    }

    /** A transcoder from the account's stream to the client's, writing complete SSE events to {@code sink}. */
    StreamTranscoder streamTranscoder(Consumer<byte[]> sink) {
        return toChat
                ? new ChatToAnthropicStream(clientModel, toolNames, sink)
                : new AnthropicToChatStream(clientModel, includeUsage, sink);
    }

    /** The client's whole answer for the account's whole answer. */
    ObjectNode mapWhole(JsonNode upstream) {
        if (models) {
            return toChat ? ModelLists.toAnthropic(upstream) : ModelLists.toOpenAi(upstream, "anthropic");
        }
        return toChat
                ? ChatToAnthropicResponse.map(upstream, clientModel, toolNames)
                : AnthropicToChatResponse.map(upstream, clientModel);
    }

    Usage wholeUsage(JsonNode upstream) {
        if (models) {
            return Usage.ZERO;
        }
        return toChat ? ChatToAnthropicResponse.usage(upstream) : AnthropicToChatResponse.usage(upstream);
    }

    private static String chatPath(Account account, String upstreamModel) {
        if (account.kind() == AccountKind.AZURE_OPENAI) {
            return "/openai/deployments/" + upstreamModel + "/chat/completions?api-version=" + AZURE_API_VERSION;
        }
        return RouteResolver.upstreamPath(Route.CHAT_COMPLETIONS);
    }

    private static @Nullable Long maxOutput(Account account) {
        String v = account.modelMap().get("max_output_tokens");
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
