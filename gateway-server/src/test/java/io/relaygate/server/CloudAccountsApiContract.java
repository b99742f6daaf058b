package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.VertexCredentials;
import io.relaygate.server.admin.AdminPassword;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bedrock and Vertex accounts added through the admin API ({@code POST /admin/accounts}, signed in as the console
 * does it), on the mock's cloud modes: the same checks and stored credential as {@code relaygate accounts add}, never
 * a credential in an answer, a request served through each, and the connection test of each with a clear message for
 * refused credentials. {@link LocalCloudAccountsApiIT} and {@link RedisCloudAccountsApiIT} run it on both stores.
 */
abstract class CloudAccountsApiContract {

    static final String PASSWORD = "console-password-for-cloud-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    GatewayHarness gw;
    CloudFixture cloud;
    String cookie;
    String csrf;

    abstract GatewayHarness start() throws Exception;

    @BeforeEach
    void signIn() throws Exception {
        gw = start();
        cloud = CloudFixture.on(gw);
        cloud.onlyTheTestsOwnAccounts();
        gw.store
                .admin()
                .setPasswordHash(AdminPassword.hash(PASSWORD))
                .toCompletableFuture()
                .join();
        HttpResponse<byte[]> r = send("/admin/login", "{\"password\":\"" + PASSWORD + "\"}", false);
        assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
        cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        csrf = JSON.readTree(r.body()).path("csrf").asText();
    }

    @AfterEach
    void stop() throws Exception {
        gw.store
                .admin()
                .clearFailures("address:127.0.0.1")
                .toCompletableFuture()
                .join();
        gw.close();
    }

    private HttpResponse<byte[]> send(String path, String json, boolean signedIn) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .timeout(GatewayHarness.WAIT)
                .header("content-type", "application/json");
        if (json == null) {
            b.GET();
        } else {
            b.POST(HttpRequest.BodyPublishers.ofString(json));
        }
        if (signedIn) {
            b.header("cookie", cookie).header("x-csrf-token", csrf);
        }
        return GatewayHarness.recorded(gw.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    HttpResponse<byte[]> post(String path, ObjectNode body) throws Exception {
        return send(path, body.toString(), true);
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private ObjectNode bedrockForm(String name, String secret) {
        return JSON.createObjectNode()
                .put("kind", "bedrock")
                .put("name", name)
                .put("baseUrl", gw.mock.baseUrl())
                .put("region", "us-east-1")
                .put("profilePrefix", "us.")
                .put("awsAccessKeyId", CloudFixture.KEY_ID)
                .put("awsSecretAccessKey", secret)
                .put("awsSessionToken", "")
                .put("priority", 1);
    }

    private ObjectNode vertexForm(String name, String serviceAccountJson) {
        return JSON.createObjectNode()
                .put("kind", "vertex")
                .put("name", name)
                .put("baseUrl", gw.mock.baseUrl())
                .put("project", "mock-project")
                .put("region", "us-east5")
                .put("serviceAccountJson", serviceAccountJson)
                .put("priority", 2);
    }

    private Account stored(String name) {
        return gw.store.accounts().findByName(name).toCompletableFuture().join().orElseThrow();
    }

    private JsonNode listed(String name) throws Exception {
        HttpResponse<byte[]> r = send("/admin/accounts", null, true);
        assertThat(body(r)).doesNotContain(CloudFixture.SECRET).doesNotContain("PRIVATE KEY");
        for (JsonNode a : JSON.readTree(r.body()).path("accounts")) {
            if (a.path("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError(name + " not listed: " + body(r));
    }

    @Test
    void bedrockAndVertexAccountsAddedThroughTheApiServeRequestsWithoutShowingTheirCredentials() throws Exception {
        String serviceAccount = cloud.serviceAccount(cloud.accepted);
        HttpResponse<byte[]> b = post("/admin/accounts", bedrockForm("api-bedrock", CloudFixture.SECRET));
        HttpResponse<byte[]> v = post("/admin/accounts", vertexForm("api-vertex", serviceAccount));
        assertThat(b.statusCode()).as(body(b)).isEqualTo(201);
        assertThat(v.statusCode()).as(body(v)).isEqualTo(201);
        assertThat(body(b)).doesNotContain(CloudFixture.SECRET);
        assertThat(body(v)).doesNotContain("PRIVATE KEY").doesNotContain("private_key");
        JsonNode bedrock = listed("api-bedrock");
        assertThat(bedrock.path("hasCredential").asBoolean()).isTrue();
        assertThat(bedrock.path("cloud").path("region").asText()).isEqualTo("us-east-1");
        assertThat(bedrock.path("cloud").path("awsSecretAccessKey").asText())
                .as("a secret shows as set")
                .isEqualTo("set");
        assertThat(bedrock.path("cloud").has("awsSessionToken")).isFalse();
        JsonNode vertex = listed("api-vertex");
        assertThat(vertex.path("kind").asText()).isEqualTo("vertex");
        assertThat(vertex.path("cloud").path("serviceAccount").asText()).isEqualTo(CloudFixture.EMAIL);
        assertThat(vertex.path("cloud").path("serviceAccountJson").asText()).isEqualTo("set");

        BedrockCredentials bc = BedrockCredentials.parse(stored("api-bedrock").credential());
        assertThat(bc.profilePrefix()).isEqualTo("us");
        assertThat(bc.sessionToken())
                .as("an empty form field is no session token")
                .isNull();
        assertThat(VertexCredentials.parse(stored("api-vertex").credential()).serviceAccount())
                .isEqualTo(serviceAccount);

        HttpResponse<byte[]> viaBedrock =
                gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hello"));
        assertThat(viaBedrock.statusCode()).as(body(viaBedrock)).isEqualTo(200);
        assertThat(body(viaBedrock)).contains("message_stop");
        assertThat(gw.mock.awaitCompleted(0, GatewayHarness.WAIT).uri())
                .startsWith("/model/us.anthropic.claude-sonnet-4-5");

        gw.store
                .accounts()
                .update(stored("api-bedrock").withSchedulable(false))
                .toCompletableFuture()
                .join();
        HttpResponse<byte[]> viaVertex =
                gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hello"));
        assertThat(viaVertex.statusCode()).as(body(viaVertex)).isEqualTo(200);
        assertThat(gw.mock.exchanges()).extracting(RecordedExchange::uri).anyMatch(u -> u.endsWith(":rawPredict"));
    }

    @Test
    void cloudFormsAreCheckedLikeTheCommandLineWithoutEchoingASecret() throws Exception {
        HttpResponse<byte[]> noRegion = post(
                "/admin/accounts", bedrockForm("no-region", CloudFixture.SECRET).put("region", ""));
        assertThat(noRegion.statusCode()).isEqualTo(400);
        assertThat(body(noRegion)).contains("region: required").doesNotContain(CloudFixture.SECRET);

        HttpResponse<byte[]> noKeys = post(
                "/admin/accounts", bedrockForm("no-keys", CloudFixture.SECRET).putNull("awsSecretAccessKey"));
        assertThat(noKeys.statusCode()).isEqualTo(400);
        assertThat(body(noKeys)).contains("awsSecretAccessKey").contains("bedrockApiKey");

        HttpResponse<byte[]> both = post(
                "/admin/accounts", bedrockForm("both", CloudFixture.SECRET).put("bedrockApiKey", CloudFixture.API_KEY));
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(body(both)).contains("exclusive").doesNotContain(CloudFixture.API_KEY);

        ObjectNode sa = (ObjectNode) JSON.readTree(cloud.serviceAccount(cloud.accepted));
        sa.remove("client_id");
        HttpResponse<byte[]> incomplete = post("/admin/accounts", vertexForm("incomplete", sa.toString()));
        assertThat(incomplete.statusCode()).isEqualTo(400);
        assertThat(body(incomplete))
                .contains("serviceAccountJson")
                .contains("client_id")
                .doesNotContain("PRIVATE KEY");

        HttpResponse<byte[]> defaults = post(
                "/admin/accounts",
                bedrockForm("defaults", CloudFixture.SECRET)
                        .put("region", "eu-west-1")
                        .put("baseUrl", ""));
        assertThat(defaults.statusCode()).as(body(defaults)).isEqualTo(201);
        assertThat(stored("defaults").baseUrl())
                .as("the region's endpoint, as the CLI defaults it")
                .isEqualTo("https://bedrock-runtime.eu-west-1.amazonaws.com");
        assertThat(gw.store
                        .accounts()
                        .findByName("no-region")
                        .toCompletableFuture()
                        .join())
                .isEmpty();
    }

    @Test
    void theConnectionTestSignsForBedrockExchangesForVertexAndNamesTheAccountWhenRefused() throws Exception {
        post("/admin/accounts", bedrockForm("test-bedrock", CloudFixture.SECRET));
        post("/admin/accounts", vertexForm("test-vertex", cloud.serviceAccount(cloud.accepted)));
        post("/admin/accounts", bedrockForm("test-bedrock-wrong", CloudFixture.SECRET + "x"));
        post("/admin/accounts", vertexForm("test-vertex-refused", cloud.serviceAccount(CloudFixture.rsa())));

        for (String name : new String[] {"test-bedrock", "test-vertex"}) {
            HttpResponse<byte[]> r = post("/admin/accounts/" + name + "/test", JSON.createObjectNode());
            JsonNode ok = JSON.readTree(r.body());
            assertThat(ok.path("ok").asBoolean()).as(name + ": " + body(r)).isTrue();
            assertThat(ok.path("status").asInt()).isEqualTo(200);
            assertThat(ok.path("latencyMs").asLong()).isNotNegative();
        }
        assertThat(gw.mock.exchanges())
                .extracting(RecordedExchange::uri)
                .as("one minimal request each, Bedrock's with the account's profile")
                .contains("/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke")
                .anyMatch(u -> u.endsWith("claude-haiku-4-5%4020251001:rawPredict"));

        HttpResponse<byte[]> wrong = post("/admin/accounts/test-bedrock-wrong/test", JSON.createObjectNode());
        JsonNode refused = JSON.readTree(wrong.body());
        assertThat(refused.path("ok").asBoolean()).isFalse();
        assertThat(refused.path("status").asInt()).isEqualTo(403);
        assertThat(refused.path("message").asText())
                .contains("account test-bedrock-wrong")
                .contains("refused the credentials")
                .contains("signature");
        assertThat(body(wrong)).doesNotContain(CloudFixture.SECRET).doesNotContain(CloudFixture.KEY_ID);

        HttpResponse<byte[]> sa = post("/admin/accounts/test-vertex-refused/test", JSON.createObjectNode());
        JsonNode saRefused = JSON.readTree(sa.body());
        assertThat(saRefused.path("ok").asBoolean()).isFalse();
        assertThat(saRefused.path("message").asText())
                .contains("account test-vertex-refused")
                .contains("service account " + CloudFixture.EMAIL)
                .contains("refused");
        assertThat(body(sa)).doesNotContain("PRIVATE KEY");
        assertThat(gw.store
                        .state()
                        .conditions(java.time.Instant.now())
                        .toCompletableFuture()
                        .join())
                .as("the test changes nothing: no account put out of rotation")
                .isEmpty();
    }
}
