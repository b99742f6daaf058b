package io.relaygate.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.relaygate.core.Account;
import io.relaygate.core.catalogue.Catalogue;
import java.io.IOException;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * {@code count_tokens} on a {@code bedrock} account through Bedrock's CountTokens API ({@link
 * CloudRequests#buildCountTokens}), sent like the account's requests (its proxy, trust and credentials, on Netty). Where
 * Bedrock cannot count (a model it does not count for, a role without {@code bedrock:CountTokens}, the platform
 * unreachable) the answer is empty and the caller counts locally: a count is an estimate the client asked for, not
 * worth an error.
 */
public final class BedrockCountTokens {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BedrockCountTokens() {}

    /** Bedrock's count for the client's {@code count_tokens} {@code body} (read, not released), or empty. */
    public static CompletableFuture<OptionalLong> count(
            TokenCalls calls, Account account, ByteBuf body, Catalogue catalogue) {
        UpstreamTarget target;
        FullHttpRequest request;
        try {
            target = UpstreamTarget.of(account);
            request = CloudRequests.buildCountTokens(account, target, body, catalogue, Clock.systemUTC());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(OptionalLong.empty());
        }
        return CloudRequests.send(calls, account, target, request).handle((answer, failure) -> {
            if (failure != null || answer.status() != 200) {
                return OptionalLong.empty();
            }
            try {
                JsonNode n = JSON.readTree(answer.body());
                JsonNode tokens = n.path("inputTokens");
                return tokens.canConvertToLong() && tokens.asLong() >= 0
                        ? OptionalLong.of(tokens.asLong())
                        : OptionalLong.empty();
            } catch (IOException e) {
                return OptionalLong.empty();
            }
        });
    }
}
