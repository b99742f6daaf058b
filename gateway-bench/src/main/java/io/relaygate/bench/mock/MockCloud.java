package io.relaygate.bench.mock;

import java.security.PublicKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The credentials the mock's cloud modes accept, set by a test: Bedrock's IAM access keys (each request's SigV4
 * signature is recomputed with the secret and compared), session tokens it treats as expired, Bedrock API keys, and
 * Vertex service accounts (their public keys check the JWT assertions at the fake token endpoint; the access tokens it
 * issued are the only bearers the Vertex paths take). Thread-safe.
 */
public final class MockCloud {

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Set<String> expiredSessionTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> apiKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, PublicKey> serviceAccounts = new ConcurrentHashMap<>();
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();

    /** Accepts SigV4 signatures made with this key pair. */
    public MockCloud bedrockKey(String accessKeyId, String secretAccessKey) {
        secrets.put(accessKeyId, secretAccessKey);
        return this;
    }

    /** Answers requests carrying this session token with Bedrock's expired-token 403. */
    public MockCloud expiredSessionToken(String token) {
        expiredSessionTokens.add(token);
        return this;
    }

    /** Accepts this Bedrock API key as a bearer. */
    public MockCloud bedrockApiKey(String key) {
        apiKeys.add(key);
        return this;
    }

    /** Accepts JWT assertions of {@code clientEmail} signed with the private key of {@code publicKey}. */
    public MockCloud vertexServiceAccount(String clientEmail, PublicKey publicKey) {
        serviceAccounts.put(clientEmail, publicKey);
        return this;
    }

    /** How many Vertex access tokens the token endpoint issued. */
    public int issuedTokens() {
        return issuedTokens.size();
    }

    @Nullable
    String secret(String accessKeyId) {
        return secrets.get(accessKeyId);
    }

    boolean expired(String sessionToken) {
        return expiredSessionTokens.contains(sessionToken);
    }

    boolean apiKey(String key) {
        return apiKeys.contains(key);
    }

    @Nullable
    PublicKey serviceAccount(String clientEmail) {
        return serviceAccounts.get(clientEmail);
    }

    void issued(String token) {
        issuedTokens.add(token);
    }

    boolean valid(String token) {
        return issuedTokens.contains(token);
    }
}
