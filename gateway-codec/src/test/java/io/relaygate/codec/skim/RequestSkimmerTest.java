package io.relaygate.codec.skim;

import static io.relaygate.codec.skim.RequestSkimmerFixtureTest.skimHeap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RequestSkimmerTest {

    @Test
    void anthropicFieldsAreRead() {
        SkimmedRequest r = skim("{\"model\":\"claude-x\",\"max_tokens\":1024,\"stream\":true,"
                + "\"metadata\":{\"other\":{\"user_id\":\"nested\"},\"user_id\":\"u-1\"},"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You are \"},{\"type\":\"image\",\"text\":\"no\"},"
                + "{\"type\":\"text\",\"text\":\"helpful.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"messages\":[{\"role\":\"assistant\",\"content\":\"prefill\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{}},{\"type\":\"text\",\"text\":\"hi \"},"
                + "{\"type\":\"tool_result\",\"content\":[{\"type\":\"text\",\"text\":\"nested\"}]},"
                + "{\"type\":\"text\",\"text\":\"there\"}]},{\"role\":\"user\",\"content\":\"second\"}]}");

        assertThat(r.model()).isEqualTo("claude-x");
        assertThat(r.maxTokens()).isEqualTo(1024L);
        assertThat(r.stream()).isTrue();
        assertThat(r.metadataUserId()).as("only metadata's own user_id").isEqualTo("u-1");
        assertThat(r.firstSystemText()).as("text blocks only, concatenated").isEqualTo("You are helpful.");
        assertThat(r.firstUserText())
                .as("the first user message's own text blocks; tool results are not prompt text")
                .isEqualTo("hi there");
        assertThat(r.messageCount()).as("every entry, whatever its role").isEqualTo(3);
    }

    @Test
    void messagesAndInputItemsAreCounted() {
        assertThat(skim("{\"model\":\"m\",\"input\":\"say hi\"}").messageCount())
                .isEqualTo(1);
        assertThat(skim("{\"model\":\"m\",\"input\":[{\"type\":\"additional_tools\",\"tools\":[]},"
                                + "{\"role\":\"user\",\"content\":\"a\"},{\"type\":\"function_call_output\","
                                + "\"call_id\":\"c\",\"output\":\"x\"}]}")
                        .messageCount())
                .isEqualTo(3);
        assertThat(skim("{\"model\":\"m\"}").messageCount()).isZero();
    }

    @Test
    void chatFieldsAreRead() {
        SkimmedRequest r = skim("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}],"
                + "\"model\":\"gpt-x\",\"max_completion_tokens\":77,\"user\":\"alice\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");

        assertThat(r.model()).isEqualTo("gpt-x");
        assertThat(r.maxTokens()).as("max_completion_tokens").isEqualTo(77L);
        assertThat(r.user()).isEqualTo("alice");
        assertThat(r.streamIncludeUsage()).isTrue();
        assertThat(r.firstSystemText())
                .as("the system message stands in for a top-level system")
                .isEqualTo("Be brief.");
        assertThat(r.firstUserText()).isEqualTo("hello");
    }

    @Test
    void responsesFieldsAreRead() {
        SkimmedRequest r = skim(
                "{\"model\":\"gpt-5.5\",\"instructions\":\"Follow rules.\",\"max_output_tokens\":500,"
                        + "\"prompt_cache_key\":\"pck\",\"input\":[{\"type\":\"function_call_output\",\"role\":\"user\","
                        + "\"output\":\"x\"},{\"type\":\"message\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\","
                        + "\"text\":\"dev\"}]},{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"do it\"}]}]}");

        assertThat(r.maxTokens()).as("max_output_tokens").isEqualTo(500L);
        assertThat(r.promptCacheKey()).isEqualTo("pck");
        assertThat(r.firstSystemText())
                .as("instructions before developer messages")
                .isEqualTo("Follow rules.");
        assertThat(r.firstUserText())
                .as("typed non-message items are not messages")
                .isEqualTo("do it");
        assertThat(r.stream()).as("absent stream").isFalse();
    }

    @Test
    void responsesInputMayBeAPlainString() {
        SkimmedRequest r = skim("{\"model\":\"m\",\"input\":\"just this\"}");

        assertThat(r.firstUserText()).isEqualTo("just this");
        assertThat(r.firstSystemText()).isNull();
    }

    @Test
    void membersInAnyOrderGiveTheSameTexts() {
        SkimmedRequest r = skim("{\"messages\":[{\"content\":[{\"text\":\"late type\",\"type\":\"text\"},"
                + "{\"text\":\"not text\",\"type\":\"thinking\"}],\"role\":\"user\"},"
                + "{\"content\":\"sys\",\"role\":\"system\"}]}");

        assertThat(r.firstUserText()).as("role and type after the text").isEqualTo("late type");
        assertThat(r.firstSystemText()).isEqualTo("sys");
        assertThat(r.model()).isNull();
    }

    @Test
    void maxTokensPrefersMaxTokensAndIgnoresNonIntegers() {
        assertThat(skim("{\"max_output_tokens\":3,\"max_completion_tokens\":2,\"max_tokens\":1}")
                        .maxTokens())
                .isEqualTo(1L);
        assertThat(skim("{\"max_tokens\":1.5,\"max_output_tokens\":9}").maxTokens())
                .as("a non-integer max_tokens falls through")
                .isEqualTo(9L);
        assertThat(skim("{\"max_tokens\":\"10\"}").maxTokens()).isNull();
        assertThat(skim("{\"max_tokens\":123456789012345678901234567890}").maxTokens())
                .isNull();
    }

    @Test
    void nestedFieldsWithTopLevelNamesAreIgnored() {
        SkimmedRequest r = skim("{\"tools\":[{\"name\":\"t\",\"input_schema\":{\"model\":42,\"stream\":\"x\","
                + "\"max_tokens\":5}}],\"metadata\":\"not an object\",\"stream_options\":[true],\"model\":\"real\"}");

        assertThat(r.model())
                .as("a model inside tools is not the model, nor validated")
                .isEqualTo("real");
        assertThat(r.maxTokens()).isNull();
        assertThat(r.metadataUserId()).isNull();
        assertThat(r.streamIncludeUsage()).isFalse();
    }

    @Test
    void textsAreCappedAtEightKibibytesOfUtf8BetweenCodePoints() {
        String ascii = "a".repeat(10_000);
        String twoByte = "é".repeat(5_000);
        // 8191 bytes of ASCII then an emoji (4 bytes): the emoji must not be cut in half.
        String emojiAtEdge = "b".repeat(8_191) + "\uD83D\uDE00" + "tail";
        SkimmedRequest r = skim(
                "{\"system\":\"" + ascii + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + twoByte + "\"}]}");
        SkimmedRequest edge = skim("{\"input\":\"" + emojiAtEdge + "\"}");
        SkimmedRequest blocks = skim("{\"system\":[{\"type\":\"text\",\"text\":\"" + "c".repeat(8_000)
                + "\"},{\"type\":\"text\",\"text\":\"" + "d".repeat(8_000) + "\"}]}");

        assertThat(r.firstSystemText()).isEqualTo("a".repeat(8_192));
        assertThat(r.firstUserText()).as("4096 two-byte characters").isEqualTo("é".repeat(4_096));
        assertThat(edge.firstUserText()).isEqualTo("b".repeat(8_191));
        assertThat(blocks.firstSystemText()).as("the cap spans blocks").isEqualTo("c".repeat(8_000) + "d".repeat(192));
    }

    @Test
    void nullStreamMeansNotStreaming() {
        assertThat(skim("{\"stream\":null,\"model\":\"m\"}").stream())
                .as("OpenAI declares stream nullable")
                .isFalse();
        assertThat(skim("{\"stream\":false}").stream()).isFalse();
    }

    @Test
    void emptyAndBlankBodiesAreRejected() {
        assertInvalid(new byte[0], "empty");
        assertInvalid(" \n\t ".getBytes(StandardCharsets.UTF_8), "empty");
    }

    @Test
    void bodiesThatAreNotObjectsAreRejected() {
        assertInvalid("[]", "not a JSON object (found an array)");
        assertInvalid("\"text\"", "not a JSON object (found a string)");
        assertInvalid("42", "not a JSON object (found a number)");
        assertInvalid("null", "not a JSON object (found null)");
    }

    @Test
    void everyTruncationOfABodyIsRejected() {
        String json = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"metadata\":{\"user_id\":\"x\"}}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        for (int length = 1; length < bytes.length; length++) {
            assertInvalid(Arrays.copyOf(bytes, length), "not valid JSON");
        }
        assertThat(skim(json).model()).as("the whole body is fine").isEqualTo("m");
    }

    @Test
    void trailingContentIsRejected() {
        assertInvalid("{\"model\":\"m\"} {}", "trailing content");
        assertInvalid("{\"model\":\"m\"}x", "trailing content");
        assertInvalid("{\"model\":\"m\"}]", "trailing content");
        assertThat(skim("{\"model\":\"m\"}\r\n  ").model())
                .as("trailing whitespace is fine")
                .isEqualTo("m");
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        GatewayException e = assertInvalid("{\n  \"model\": \"m\",\n  \"stream\": tru\n}", "not valid JSON");

        assertThat(e.getMessage()).as("where the fault is").contains("line 3").contains("column");
    }

    @Test
    void errorMessagesDoNotEchoSecretsFromTheBody() {
        GatewayException e = assertInvalid("{\"x\": sk-ant-api03-SECRETSECRETSECRET}", "not valid JSON");

        assertThat(e.getMessage()).doesNotContain("SECRETSECRETSECRET");
    }

    @Test
    void wrongTypesForModelAndStreamAreRejectedByName() {
        assertThat(assertInvalid("{\"model\":42}", "model").getMessage())
                .isEqualTo("model: a number (expected: a string)");
        assertInvalid("{\"model\":null}", "model: null");
        assertInvalid("{\"model\":{\"id\":\"m\"}}", "model: an object");
        assertThat(assertInvalid("{\"stream\":\"true\"}", "stream").getMessage())
                .isEqualTo("stream: a string (expected: a boolean)");
        assertInvalid("{\"stream\":1}", "stream: a number");
    }

    @Test
    void skimmingLeavesTheBufferAsItWas() {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeBytes("garbage".getBytes(StandardCharsets.UTF_8));
            buf.readerIndex(7);
            buf.writeBytes("{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(RequestSkimmer.skim(buf).model())
                    .as("only the readable bytes")
                    .isEqualTo("m");
            assertThat(buf.readerIndex()).isEqualTo(7);
            assertThat(buf.refCnt()).isEqualTo(1);
        } finally {
            buf.release();
        }
    }

    @Test
    void sessionIdComesFromClaudeCodesJsonUserId() {
        String userId = "{\"device_id\":\"d87dcf42957e4527f58e4546cb23f0ad2c472069b506f6dec99bc733f2eac91e\","
                + "\"account_uuid\":\"\",\"session_id\":\"984156c2-6d29-4b88-b2f8-b7feaf51a089\"}";

        assertThat(RequestSkimmer.sessionIdFromMetadataUserId(userId))
                .isEqualTo("984156c2-6d29-4b88-b2f8-b7feaf51a089");
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("{\"device_id\":\"d\"}"))
                .as("no session_id")
                .isNull();
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("{\"session_id\":\"abc"))
                .as("malformed JSON")
                .isNull();
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("{\"session_id\":\"../../etc\"}"))
                .as("not an id")
                .isNull();
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("{\"session_id\":{\"x\":1}}"))
                .isNull();
    }

    @Test
    void sessionIdComesFromTheOlderUserIdForm() {
        String hash = "8fce14a1d83d494dbd95d6d6c7b7f5cc7ac7a6e85d3c8f12bded91c716f9e188";

        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("user_" + hash
                        + "_account_0b1c2d3e-0000-4000-8000-000000000001_session_561f0a2b-9bd0-42df-820e-91ff15648aba"))
                .isEqualTo("561f0a2b-9bd0-42df-820e-91ff15648aba");
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId(
                        "user_" + hash + "_account__session_561f0a2b-9bd0-42df-820e-91ff15648aba"))
                .as("empty account")
                .isEqualTo("561f0a2b-9bd0-42df-820e-91ff15648aba");
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("user_" + hash + "_account__session_"))
                .isNull();
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("someone@example.com"))
                .isNull();
        assertThat(RequestSkimmer.sessionIdFromMetadataUserId("")).isNull();
    }

    static GatewayException assertInvalid(String body, String fragment) {
        return assertInvalid(body.getBytes(StandardCharsets.UTF_8), fragment);
    }

    static GatewayException assertInvalid(byte[] body, String fragment) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            GatewayException e = catchThrowableOfType(GatewayException.class, () -> RequestSkimmer.skim(buf));
            assertThat(e)
                    .as("rejected: %s", new String(body, StandardCharsets.UTF_8))
                    .isNotNull();
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.getMessage()).contains(fragment);
            assertThat(buf.refCnt()).as("the caller still owns the body").isEqualTo(1);
            return e;
        } finally {
            buf.release();
        }
    }

    private static SkimmedRequest skim(String json) {
        return skimHeap(json.getBytes(StandardCharsets.UTF_8));
    }
}
