package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The gateway as an OpenID Connect relying party (OpenID Connect Core 1.0, authorization code flow with PKCE, RFC
 * 7636): reads the provider's discovery document (OpenID Connect Discovery 1.0 §4), exchanges a code at its token
 * endpoint with the client secret (RFC 6749 §2.3.1, HTTP Basic), and verifies the ID token with Nimbus JOSE+JWT
 * against the provider's JWKS (signature, {@code iss}, {@code aud}, {@code exp}, {@code nonce}; Core §3.1.3.7). The
 * JWKS is read again once when a token's key is unknown (the provider rotated its keys).
 *
 * <p>Calls go through the JDK's asynchronous HTTP client: nothing here blocks an event loop.
 */
final class OidcClient {

    /** The provider's endpoints and keys, from its discovery document. */
    record Provider(String authorizationEndpoint, String tokenEndpoint, String jwksUri, JWKSet keys) {}

    /** Signature algorithms accepted on an ID token (asymmetric only: the client secret signs nothing here). */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384);

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Bigger answers from the provider are refused (a discovery document or JWKS is a few kilobytes). */
    private static final int MAX_ANSWER_CHARS = 512 * 1024;

    private final SsoSettings settings;
    private final HttpClient http;
    private final AtomicReference<@Nullable CompletableFuture<Provider>> provider = new AtomicReference<>();

    OidcClient(SsoSettings settings) {
        this.settings = requireNonNull(settings, "settings");
        this.http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The provider's endpoints, read once and kept; a failed read is tried again on the next call. */
    CompletableFuture<Provider> provider() {
        CompletableFuture<Provider> current = provider.get();
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        CompletableFuture<Provider> fresh = get(settings.issuer() + "/.well-known/openid-configuration")
                .thenCompose(text -> {
                    JsonNode d = parse(text, "discovery document");
                    // Discovery §4.3: the issuer in the document must be the one configured, exactly
                    if (!settings.issuer().equals(d.path("issuer").asText().replaceAll("/$", ""))) {
                        throw new IllegalStateException("the discovery document names issuer "
                                + d.path("issuer").asText() + ", not " + settings.issuer());
                    }
                    String jwks = d.path("jwks_uri").asText("");
                    return get(jwks)
                            .thenApply(keys -> new Provider(
                                    required(d, "authorization_endpoint"),
                                    required(d, "token_endpoint"),
                                    jwks,
                                    parseKeys(keys)));
                });
        provider.set(fresh);
        return fresh;
    }

    /**
     * Exchanges {@code code} (with the PKCE {@code verifier} and the {@code redirectUri} it was issued for) and
     * completes with the verified ID token's claims; fails when the provider refuses or the token does not verify.
     */
    CompletableFuture<JWTClaimsSet> exchange(String code, String verifier, String redirectUri, String nonce) {
        return provider().thenCompose(p -> {
            String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(redirectUri)
                    + "&code_verifier=" + enc(verifier);
            String basic = Base64.getEncoder()
                    .encodeToString((enc(settings.clientId()) + ":" + enc(settings.clientSecret()))
                            .getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(p.tokenEndpoint()))
                    .timeout(TIMEOUT)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .header("authorization", "Basic " + basic)
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
                JsonNode answer = parse(response.body(), "token answer");
                if (response.statusCode() != 200) {
                    // RFC 6749 §5.2: the error code is safe to show; the description may echo input, so it is not
                    throw new IllegalStateException("the provider refused the code: " + response.statusCode() + " "
                            + answer.path("error").asText("no error code"));
                }
                String idToken = required(answer, "id_token");
                return verify(p, idToken, nonce).exceptionallyCompose(first -> {
                    // the provider may have rotated its keys since they were read: read them once more
                    provider.set(null);
                    return provider().thenCompose(again -> verify(again, idToken, nonce));
                });
            });
        });
    }

    private CompletableFuture<JWTClaimsSet> verify(Provider p, String idToken, String nonce) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(p.keys())));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                settings.clientId(),
                new JWTClaimsSet.Builder()
                        .issuer(settings.issuer())
                        .claim("nonce", nonce)
                        .build(),
                Set.of("sub", "iat", "exp")));
        try {
            return CompletableFuture.completedFuture(processor.process(idToken, null));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("the ID token did not verify: " + e.getMessage()));
        }
    }

    private CompletableFuture<String> get(String url) {
        if (url.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the discovery document has no jwks_uri"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("accept", "application/json")
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new CompletionException(new IOException(url + " answered " + r.statusCode()));
            }
            return r.body();
        });
    }

    private static JsonNode parse(String text, String what) {
        if (text.length() > MAX_ANSWER_CHARS) {
            throw new IllegalStateException("the provider's " + what + " is over " + MAX_ANSWER_CHARS + " characters");
        }
        try {
            JsonNode node = SignInHttp.JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalStateException("the provider's " + what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalStateException("the provider's " + what + " is not JSON");
        }
    }

    private static JWKSet parseKeys(String text) {
        try {
            return JWKSet.parse(text);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("the provider's JWKS does not parse: " + e.getMessage());
        }
    }

    private static String required(JsonNode node, String field) {
        String value = node.path(field).asText("");
        if (value.isEmpty()) {
            throw new IllegalStateException("the provider's answer has no " + field);
        }
        return value;
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
