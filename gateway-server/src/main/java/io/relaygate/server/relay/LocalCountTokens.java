package io.relaygate.server.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufInputStream;
import io.relaygate.codec.chat.TokenEstimator;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Route;
import io.relaygate.core.WireFormat;
import io.relaygate.server.exchange.Exchange;
import java.io.IOException;
import java.io.InputStream;

/**
 * Answers {@code count_tokens} itself when the chosen account cannot: OpenAI-format servers have no such endpoint, so
 * the gateway counts with OpenAI's tokenizer and answers in Anthropic's shape, {@code {"input_tokens": N}}. Bedrock and
 * Vertex accounts are counted here too: their count-tokens endpoints take other shapes and other permissions.
 */
final class LocalCountTokens {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalCountTokens() {}

    /** Whether {@code exchange}'s request is a count_tokens call that {@code account} cannot answer. */
    static boolean applies(Exchange exchange, Account account) {
        return exchange.request().info.route == Route.COUNT_TOKENS
                && (account.kind().format() != WireFormat.ANTHROPIC
                        || account.kind().cloud());
    }

    /** Counts the request's tokens and ends the exchange with the answer (or a 400 for a body that is not JSON). */
    static void answer(Exchange exchange) {
        long tokens;
        try (InputStream in =
                new ByteBufInputStream(exchange.request().request.content().duplicate())) {
            tokens = TokenEstimator.count(JSON.readTree(in));
        } catch (IOException e) {
            exchange.respondError(ErrorKind.INVALID_REQUEST, "request body is not valid JSON", null);
            return;
        }
        exchange.respondJson("{\"input_tokens\":" + tokens + "}");
    }
}
