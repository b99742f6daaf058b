package io.relaygate.server;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.VertexCredentials;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;

/**
 * What the Bedrock and Vertex integration tests share: the credentials the mock's cloud modes accept (an IAM key, a
 * Bedrock API key, an expired session token, a service account's RSA key), registered with the mock and with the
 * suite's secret scan; accounts made of them; a state where only the test's own accounts are in rotation.
 */
final class CloudFixture {

    static final String KEY_ID = "AKIAMOCKBEDROCK0001";
    static final String SECRET = "mockSecretAccessKey/For+Bedrock0123456789";
    static final String API_KEY = "ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk";
    static final String EXPIRED = "IQoJb3JpZ2luX2VjEXPIREDmocksessiontoken";
    static final String EMAIL = "relaygate@mock-project.iam.gserviceaccount.com";

    final GatewayHarness gw;
    /** The service account key the mock's token endpoint accepts for {@link #EMAIL}. */
    final KeyPair accepted;

    private CloudFixture(GatewayHarness gw) {
        this.gw = gw;
        this.accepted = rsa();
        gw.mock
                .cloud()
                .bedrockKey(KEY_ID, SECRET)
                .bedrockApiKey(API_KEY)
                .expiredSessionToken(EXPIRED)
                .vertexServiceAccount(EMAIL, accepted.getPublic());
        SuiteSecretScan.secret(SECRET);
        SuiteSecretScan.secret(API_KEY);
        SuiteSecretScan.secret(EXPIRED);
    }

    /** The mock's cloud modes set up on {@code gw}. */
    static CloudFixture on(GatewayHarness gw) {
        return new CloudFixture(gw);
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Anthropic SDK client of the gateway's test key, without retries. */
    AnthropicClient anthropic() {
        return AnthropicOkHttpClient.builder()
                .baseUrl(gw.baseUrl())
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    /** Clears the mock's and the gateway's records and takes every account out of rotation: the test adds its own. */
    void onlyTheTestsOwnAccounts() {
        gw.reset();
        gw.outcomes.clear();
        for (Account a : gw.store.accounts().list().toCompletableFuture().join()) {
            gw.store
                    .accounts()
                    .update(a.withSchedulable(false))
                    .toCompletableFuture()
                    .join();
        }
    }

    static BedrockCredentials sigV4(String region, String sessionToken, String profile) {
        return new BedrockCredentials(region, KEY_ID, SECRET, sessionToken, null, profile);
    }

    Account bedrock(String name, BedrockCredentials c) {
        return gw.addAccount(name, AccountKind.BEDROCK, gw.mock.baseUrl(), c.encode(), Account.DEFAULT_PRIORITY);
    }

    Account vertex(String name, KeyPair keys) {
        return gw.addAccount(
                name,
                AccountKind.VERTEX,
                gw.mock.baseUrl(),
                new VertexCredentials("mock-project", "us-east5", serviceAccount(keys), null, null).encode(),
                Account.DEFAULT_PRIORITY);
    }

    /** A service account key file's JSON for {@link #EMAIL} with {@code keys}' private key, its token URI the mock. */
    String serviceAccount(KeyPair keys) {
        String der = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
        SuiteSecretScan.secret(der.substring(64, 128));
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return new ObjectMapper()
                .createObjectNode()
                .put("type", "service_account")
                .put("project_id", "mock-project")
                .put("private_key_id", "k1")
                .put("private_key", pem)
                .put("client_email", EMAIL)
                .put("client_id", "1234567890")
                .put("token_uri", gw.mock.baseUrl() + "/token")
                .toString();
    }
}
