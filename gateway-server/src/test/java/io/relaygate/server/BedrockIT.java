package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.ModelEntry;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claude on Amazon Bedrock through the gateway, on the mock's Bedrock mode: requests signed with SigV4 (the mock
 * recomputes each signature) or a Bedrock API key, event-stream answers decoded into Anthropic SSE for the Anthropic
 * SDK, conversion for the OpenAI SDK, throttling mapped to the SDK's rate-limit error, refused credentials named by
 * account and never shown.
 */
class BedrockIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static GatewayHarness gw;
    private static CloudFixture cloud;
    private static AnthropicClient anthropic;
    private static OpenAIClient openai;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        cloud = CloudFixture.on(gw);
        anthropic = cloud.anthropic();
        openai = OpenAIOkHttpClient.builder()
                .baseUrl(gw.baseUrl() + "/openai/v1")
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @BeforeEach
    void onlyBedrock() {
        cloud.onlyTheTestsOwnAccounts();
    }

    @AfterAll
    static void stop() throws Exception {
        anthropic.close();
        openai.close();
        gw.close();
    }

    private static Account bedrock(String name, BedrockCredentials c) {
        return cloud.bedrock(name, c);
    }

    private static BedrockCredentials sigV4(String sessionToken) {
        return CloudFixture.sigV4("us-east-1", sessionToken, "us");
    }

    private static MessageCreateParams params(String text) {
        return MessageCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxTokens(256)
                .addUserMessage(text)
                .build();
    }

    @Test
    void theAnthropicSdkStreamsThroughASigV4SignedAccount() throws Exception {
        Account account = bedrock("bedrock-sigv4", sigV4(null));
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
                anthropic.messages().createStreaming(params("hello mock:tool_use"))) {
            stream.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(m.content().stream().filter(b -> b.isToolUse()).count()).isEqualTo(2);
        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri())
                .as("the cross-region profile and the shipped id, ':' encoded")
                .isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream");
        ExchangeOutcome o = gw.nextOutcomeOf(account.id());
        assertThat(o.usage().outputTokens())
                .as("usage tapped from the decoded stream")
                .isPositive();
        assertThat(o.usage().inputTokens()).isPositive();
        assertThat(o.costMicros())
                .as("priced at the catalogue's entry of the model Bedrock ran")
                .isPositive()
                .isEqualTo(Catalogue.shipped().quote("claude-sonnet-4-5").costMicros(o.usage()));
    }

    @Test
    void aWholeAnswerThroughABedrockApiKey() {
        bedrock("bedrock-key", new BedrockCredentials("eu-west-1", null, null, null, CloudFixture.API_KEY, null));
        Message m = anthropic.messages().create(params("hello"));
        assertThat(m.content().get(0).text()).isPresent();
        assertThat(m.usage().inputTokens()).isPositive();
    }

    @Test
    void theOpenAiSdkIsConvertedThroughABedrockAccount() {
        bedrock("bedrock-openai", sigV4(null));
        ChatCompletion c = openai.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("claude-sonnet-4-5")
                        .addUserMessage("hello")
                        .build());
        assertThat(c.choices().get(0).message().content()).isPresent();
        assertThat(c.usage().orElseThrow().completionTokens()).isPositive();
    }

    @Test
    void throttlingBeforeTheStreamIsTheSdksRateLimitError() {
        bedrock("bedrock-429", sigV4(null));
        assertThatThrownBy(() -> anthropic.messages().create(params("mock:error-429")))
                .isInstanceOf(RateLimitException.class);
    }

    @Test
    void aThrottlingExceptionFrameEndsTheStreamWithAnErrorEventAndCoolsTheAccountDown() throws Exception {
        Account a = bedrock("bedrock-throttled", sigV4(null));
        HttpResponse<byte[]> r =
                gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "go mock:bedrock-throttle"));
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(sse)
                .contains("event: message_start")
                .contains("event: error")
                .contains("rate_limit_error");
        assertThat(sse).doesNotContain("message_stop");
        gw.nextOutcome();
        // the harness's cool-downs last 1 ms: read the conditions as of long ago to see the one set
        assertThat(gw.store
                        .state()
                        .conditions(java.time.Instant.EPOCH)
                        .toCompletableFuture()
                        .join()
                        .get(a.id()))
                .as("the account was rate-limited")
                .isNotNull();
    }

    @Test
    void aWrongSecretGetsBedrocksRefusalNamedByAccountWithoutTheCredential() throws Exception {
        bedrock(
                "bedrock-wrong",
                new BedrockCredentials("us-east-1", CloudFixture.KEY_ID, CloudFixture.SECRET + "x", null, null, null));
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(body)
                .contains("credentials were rejected")
                .doesNotContain(CloudFixture.SECRET)
                .doesNotContain(CloudFixture.KEY_ID);
        assertThat(gw.mock.exchanges()).extracting(RecordedExchange::scenario).containsExactly("bedrock-forbidden");
    }

    @Test
    void anExpiredSessionTokenIsRefused() throws Exception {
        bedrock("bedrock-expired", sigV4(CloudFixture.EXPIRED));
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(CloudFixture.EXPIRED);
        assertThat(gw.mock.exchanges()).extracting(RecordedExchange::scenario).containsExactly("bedrock-forbidden");
    }

    @Test
    void countTokensGoesThroughBedrocksCountTokensForTheBareModelId() throws Exception {
        bedrock("bedrock-count", sigV4(null));
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages/count_tokens",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        RecordedExchange ex = gw.mock.awaitExchange(0, GatewayHarness.WAIT);
        assertThat(ex.scenario()).isEqualTo("bedrock-count-tokens");
        assertThat(ex.uri())
                .as("CountTokens refuses inference profile ids: the account's us. prefix is left off")
                .isEqualTo("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens");
        JsonNode sent = JSON.readTree(ex.body());
        byte[] invoke = Base64.getDecoder()
                .decode(sent.path("input").path("invokeModel").path("body").asText());
        JsonNode invokeBody = JSON.readTree(invoke);
        assertThat(invokeBody.path("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
        assertThat(invokeBody.has("model")).isFalse();
        assertThat(JSON.readTree(r.body()).path("input_tokens").asLong())
                .as("Bedrock's count (the mock's: a quarter of the InvokeModel body), in Anthropic's shape")
                .isEqualTo(Math.max(1, invoke.length / 4));
    }

    @Test
    void countTokensIsAnsweredLocallyWhereBedrockCannotCount() throws Exception {
        bedrock("bedrock-count-local", sigV4(null));
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages/count_tokens",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"hello there mock:no-count-tokens\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("input_tokens").asLong()).isPositive();
        assertThat(gw.mock.exchanges())
                .extracting(RecordedExchange::scenario)
                .containsExactly("bedrock-count-tokens-refused");
    }

    @Test
    void theModelListShowsTheModelsTheCatalogueMapsForBedrockInEachClientsFormat() {
        bedrock("bedrock-models", sigV4(null));
        List<String> anthropicIds =
                anthropic.models().list().data().stream().map(m -> m.id()).toList();
        List<String> expected = Catalogue.shipped().servedOn(ModelEntry.BEDROCK).stream()
                .map(ModelEntry::name)
                .toList();
        assertThat(anthropicIds).isEqualTo(expected).contains("claude-sonnet-4-5");
        List<String> openAiIds =
                openai.models().list().data().stream().map(m -> m.id()).toList();
        assertThat(openAiIds).isEqualTo(expected);
        assertThat(gw.mock.exchanges()).as("answered by the gateway").isEmpty();
    }
}
