package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    private static final String KEY_ID = "AKIAMOCKBEDROCK0001";
    private static final String SECRET = "mockSecretAccessKey/For+Bedrock0123456789";
    private static final String API_KEY = "ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk";
    private static final String EXPIRED = "IQoJb3JpZ2luX2VjEXPIREDmocksessiontoken";

    private static GatewayHarness gw;
    private static AnthropicClient anthropic;
    private static OpenAIClient openai;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        gw.mock.cloud().bedrockKey(KEY_ID, SECRET).bedrockApiKey(API_KEY).expiredSessionToken(EXPIRED);
        SuiteSecretScan.secret(SECRET);
        SuiteSecretScan.secret(API_KEY);
        SuiteSecretScan.secret(EXPIRED);
        anthropic = AnthropicOkHttpClient.builder()
                .baseUrl(gw.baseUrl())
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
        openai = OpenAIOkHttpClient.builder()
                .baseUrl(gw.baseUrl() + "/openai/v1")
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @BeforeEach
    void onlyBedrock() {
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

    @AfterAll
    static void stop() throws Exception {
        anthropic.close();
        openai.close();
        gw.close();
    }

    private static Account bedrock(String name, BedrockCredentials c) {
        return gw.addAccount(name, AccountKind.BEDROCK, gw.mock.baseUrl(), c.encode(), Account.DEFAULT_PRIORITY);
    }

    private static BedrockCredentials sigV4(String sessionToken) {
        return new BedrockCredentials("us-east-1", KEY_ID, SECRET, sessionToken, null, "us");
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
        bedrock("bedrock-sigv4", sigV4(null));
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
        ExchangeOutcome o = gw.nextOutcome();
        assertThat(o.usage().outputTokens())
                .as("usage tapped from the decoded stream")
                .isPositive();
        assertThat(o.usage().inputTokens()).isPositive();
        assertThat(o.costMicros()).as("priced as the Anthropic model").isPositive();
    }

    @Test
    void aWholeAnswerThroughABedrockApiKey() {
        bedrock("bedrock-key", new BedrockCredentials("eu-west-1", null, null, null, API_KEY, null));
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
        bedrock("bedrock-wrong", new BedrockCredentials("us-east-1", KEY_ID, SECRET + "x", null, null, null));
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(body)
                .contains("credentials were rejected")
                .doesNotContain(SECRET)
                .doesNotContain(KEY_ID);
        assertThat(gw.mock.exchanges()).extracting(RecordedExchange::scenario).containsExactly("bedrock-forbidden");
    }

    @Test
    void anExpiredSessionTokenIsRefused() throws Exception {
        bedrock("bedrock-expired", sigV4(EXPIRED));
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(EXPIRED);
        assertThat(gw.mock.exchanges()).extracting(RecordedExchange::scenario).containsExactly("bedrock-forbidden");
    }

    @Test
    void countTokensIsAnsweredLocally() throws Exception {
        bedrock("bedrock-count", sigV4(null));
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages/count_tokens",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("input_tokens");
        assertThat(gw.mock.exchanges()).isEqualTo(List.of());
    }
}
