package io.relaygate.codec.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.core.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponsesBodyUsageTest {

    /** A whole Responses answer: nested "usage"/"model"/"status" members inside output items must not count. */
    private static final String BODY = "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\","
            + "\"output\":[{\"type\":\"function_call\",\"status\":\"completed\",\"name\":\"f\","
            + "\"arguments\":\"{}\",\"model\":\"nested\",\"usage\":{\"input_tokens\":7}}],"
            + "\"model\":\"gpt-5.5-2026-01-01\",\"instructions\":\"caf\u00e9 \u2603\","
            + "\"usage\":{\"input_tokens\":1000,\"input_tokens_details\":{\"cached_tokens\":800},"
            + "\"output_tokens\":50,\"output_tokens_details\":{\"reasoning_tokens\":30},\"total_tokens\":1050}}";

    @Test
    void cachedInputIsCacheReadsAndNestedMembersAreIgnoredHoweverTheBodyIsSplit() {
        byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            JsonBodyUsage scan = JsonBodyUsage.forResponses();
            ByteBuf a = Unpooled.wrappedBuffer(bytes, 0, split);
            ByteBuf b = Unpooled.wrappedBuffer(bytes, split, bytes.length - split);
            try {
                scan.feed(a);
                scan.feed(b);
            } finally {
                a.release();
                b.release();
            }
            scan.finish();
            assertThat(scan.usage()).as("split at %d", split).isEqualTo(new Usage(200, 50, 0, 800));
            assertThat(scan.model()).isEqualTo("gpt-5.5-2026-01-01");
            assertThat(scan.status()).isEqualTo("completed");
        }
    }

    @Test
    void jsonBodyUsageWouldMiscountTheSameBody() {
        JsonBodyUsage generic = new JsonBodyUsage();
        byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        generic.feed(bytes, 0, bytes.length);
        generic.finish();
        assertThat(generic.usage())
                .as("why the Responses mode exists: the generic scan keeps cached tokens in input")
                .isNotEqualTo(new Usage(200, 50, 0, 800));
    }

    @Test
    void partialAbsentAndMalformedUsage() {
        assertThat(scan("{\"usage\":{\"input_tokens\":42,\"output_tokens\":12}}")
                        .usage())
                .isEqualTo(new Usage(42, 12, 0, 0));
        assertThat(scan("{\"usage\":null,\"model\":\"m\"}").usage()).isEqualTo(Usage.ZERO);
        assertThat(scan("{\"model\":\"m\",\"usage\":{\"output_tokens\":5},\"status\":")
                        .usage())
                .as("values read before a truncation are kept")
                .isEqualTo(new Usage(0, 5, 0, 0));
        assertThat(scan("[1,2]").usage()).isEqualTo(Usage.ZERO);
        assertThat(scan("{\"error\":{\"message\":\"x\"}} trailing").model()).isNull();
    }

    private static JsonBodyUsage scan(String body) {
        JsonBodyUsage scan = JsonBodyUsage.forResponses();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        scan.feed(bytes, 0, bytes.length);
        scan.finish();
        return scan;
    }
}
