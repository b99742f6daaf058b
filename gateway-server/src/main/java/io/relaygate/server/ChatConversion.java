package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.chat.AnthropicToChatRequest;
import io.relaygate.codec.chat.ChatTarget;
import io.relaygate.codec.chat.ModelMapper;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import io.relaygate.core.WireFormat;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * An Anthropic Messages request sent to an OpenAI Chat account: the mapped request and what the response side needs
 * (the client's model name, the tool names shortened for this request). One per attempt.
 */
final class ChatConversion {

    /** Azure OpenAI's GA data-plane API version used when the account names none. */
    static final String AZURE_API_VERSION = "2024-10-21";

    private static final ObjectMapper JSON = new ObjectMapper();

    final String clientModel;
    final ToolNames toolNames;
    final String pathAndQuery;
    private final byte[] body;

    private ChatConversion(String clientModel, ToolNames toolNames, String pathAndQuery, byte[] body) {
        this.clientModel = clientModel;
        this.toolNames = toolNames;
        this.pathAndQuery = pathAndQuery;
        this.body = body;
    }

    /** Whether requests on {@code route} need converting for {@code account}. */
    static boolean needed(Route route, Account account) {
        return route == Route.MESSAGES && account.kind().format() == WireFormat.OPENAI_CHAT;
    }

    /**
     * Maps the request for the account.
     *
     * @throws GatewayException INVALID_REQUEST when the body cannot be mapped
     */
    static ChatConversion prepare(ProxyRequest proxy, Account account) {
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
        byte[] mapped;
        try {
            mapped = JSON.writeValueAsBytes(
                    AnthropicToChatRequest.map(request, ChatTarget.of(upstreamModel, maxOutput(account)), names));
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.API_ERROR, "could not encode the converted request");
        }
        return new ChatConversion(clientModel, names, path(account, upstreamModel), mapped);
    }

    /** The mapped body; the caller owns the buffer. */
    ByteBuf body() {
        return Unpooled.wrappedBuffer(body);
    }

    private static String path(Account account, String upstreamModel) {
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
