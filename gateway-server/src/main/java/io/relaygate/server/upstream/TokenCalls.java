package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Where {@link OAuthRefresher} sends its token calls: {@link TokenEndpoint} in the gateway (the account's proxy and
 * TLS, on Netty); a unit test that makes no refresh answers them itself.
 */
@FunctionalInterface
public interface TokenCalls {

    /**
     * POSTs {@code json} to {@code url} through {@code proxy} (null: direct), trusting {@code trustCertificates} (null:
     * the JDK's trust store); see {@link TokenEndpoint#post}.
     */
    CompletableFuture<TokenEndpoint.Answer> post(
            String what, String url, @Nullable String proxy, @Nullable String trustCertificates, String json);

    /**
     * POSTs {@code body} with {@code headers} (a {@code content-type} among them replaces JSON's): the Vertex token
     * exchange's form. {@link TokenEndpoint} sends them; a unit test's answers, which see no headers, take the body
     * alone.
     */
    default CompletableFuture<TokenEndpoint.Answer> post(
            String what,
            String url,
            @Nullable String proxy,
            @Nullable String trustCertificates,
            String body,
            HttpHeaders headers) {
        return post(what, url, proxy, trustCertificates, body);
    }
}
