package io.relaygate.server.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.VertexCredentials;
import io.relaygate.core.catalogue.Catalogue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The connection test's request to a {@code bedrock} or {@code vertex} account: the Messages body the relay would send
 * ({@link CloudRequests}: Bedrock's {@code /invoke} signed with SigV4 or the API key, Vertex's {@code :rawPredict}
 * with an access token), through the account's proxy and trust ({@link TokenCalls}). A Vertex account whose stored
 * token is due gets one exchanged for this test alone ({@link VertexTokens}, through the same proxy), not stored: the
 * test changes nothing.
 */
public final class CloudProbe {

    /** The service account's key was refused at the token endpoint; the message names it, never the key. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private CloudProbe() {}

    /**
     * Sends {@code body} (a Messages request with a {@code model}) to {@code account}; fails with {@link Refused} when
     * a Vertex account's key is refused, or with what {@link TokenCalls#post} fails with.
     */
    public static CompletableFuture<TokenEndpoint.Answer> send(
            TokenCalls calls, Account account, String body, Catalogue catalogue) {
        CompletableFuture<Account> ready = CompletableFuture.completedFuture(account);
        if (account.kind() == AccountKind.VERTEX) {
            VertexCredentials v = VertexCredentials.parse(CloudModels.requireCredential(account));
            if (v.dueAt(Instant.now(), OAuthRefresher.SKEW.toSeconds())) {
                ready = VertexTokens.exchange(account, v, calls).handle((fresh, error) -> {
                    Throwable cause = VertexTokens.unwrap(error);
                    if (cause instanceof VertexTokens.Refused) {
                        throw new Refused("service account " + v.clientEmail() + ": " + cause.getMessage());
                    }
                    if (cause != null) {
                        throw new CompletionException(cause);
                    }
                    return account.withCredential(fresh.encode());
                });
            }
        }
        return ready.thenCompose(a -> {
            UpstreamTarget target = UpstreamTarget.of(a);
            ByteBuf in = Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8));
            FullHttpRequest request;
            try {
                request = CloudRequests.build(a, target, in, EmptyHttpHeaders.INSTANCE, catalogue, Clock.systemUTC());
            } finally {
                in.release();
            }
            return CloudRequests.send(calls, a, target, request);
        });
    }
}
