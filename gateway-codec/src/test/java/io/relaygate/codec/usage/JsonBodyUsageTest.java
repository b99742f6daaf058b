package io.relaygate.codec.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JsonBodyUsageTest {

    private static byte[] body;
    private static JsonNode tree;

    @BeforeAll
    static void loadTheCapturedNonStreamingAnswer() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode capture = mapper.readTree(ClientFixtures.dir()
                .resolve("claude-code-2.1.330_nonstream_fallback.json")
                .toFile());
        tree = capture.path("response").path("body");
        assertThat(tree.isObject())
                .as("the fallback capture holds the JSON answer")
                .isTrue();
        body = mapper.writeValueAsBytes(tree);
    }

    @Test
    void theCapturedAnswerYieldsTheUsageInItsJson() {
        JsonBodyUsage scan = scan(body, 0);

        JsonNode usage = tree.get("usage");
        assertThat(scan.usage())
                .as("usage as written in the fixture")
                .isEqualTo(new Usage(
                        usage.get("input_tokens").longValue(),
                        usage.get("output_tokens").longValue(),
                        usage.get("cache_creation_input_tokens").longValue(),
                        usage.get("cache_read_input_tokens").longValue()));
        assertThat(scan.usage().outputTokens())
                .as("the answer generated tokens")
                .isPositive();
        assertThat(scan.model()).isEqualTo(tree.get("model").textValue());
        assertThat(scan.stopReason()).isEqualTo(tree.get("stop_reason").textValue());
    }

    @Test
    void everyTwoChunkSplitYieldsTheSameResult() {
        JsonBodyUsage whole = scan(body, 0);
        for (int cut = 0; cut <= body.length; cut++) {
            JsonBodyUsage split = scan(body, cut);
            assertThat(split.usage()).as("split at byte %d", cut).isEqualTo(whole.usage());
            assertThat(split.model()).as("split at byte %d", cut).isEqualTo(whole.model());
            assertThat(split.stopReason()).as("split at byte %d", cut).isEqualTo(whole.stopReason());
        }
    }

    @Test
    void oneByteAtATimeYieldsTheSameResult() {
        JsonBodyUsage scan = new JsonBodyUsage();
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            for (int i = 0; i < body.length; i++) {
                scan.feed(buf.slice(i, 1));
            }
            scan.finish();
        } finally {
            buf.release();
        }
        assertThat(scan.usage()).isEqualTo(scan(body, 0).usage());
        assertThat(scan.model()).isEqualTo(tree.get("model").textValue());
    }

    @Test
    void compositeAndDirectBuffersAreReadWithoutMovingTheirIndices() {
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(body.length);
        try {
            int third = body.length / 3;
            composite.addComponent(true, Unpooled.wrappedBuffer(body, 0, third));
            composite.addComponent(true, Unpooled.wrappedBuffer(body, third, third));
            composite.addComponent(true, Unpooled.wrappedBuffer(body, 2 * third, body.length - 2 * third));
            direct.writeBytes(body);

            JsonBodyUsage fromComposite = new JsonBodyUsage();
            fromComposite.feed(composite);
            fromComposite.finish();
            JsonBodyUsage fromDirect = new JsonBodyUsage();
            fromDirect.feed(direct);
            fromDirect.finish();

            assertThat(composite.nioBufferCount()).as("several NIO views").isGreaterThan(1);
            assertThat(fromComposite.usage()).isEqualTo(scan(body, 0).usage());
            assertThat(fromDirect.usage()).isEqualTo(scan(body, 0).usage());
            assertThat(composite.readerIndex()).as("reader index").isZero();
            assertThat(composite.writerIndex()).as("writer index").isEqualTo(body.length);
            assertThat(direct.readableBytes()).isEqualTo(body.length);
            assertThat(composite.refCnt()).as("reference count").isEqualTo(1);
            assertThat(direct.refCnt()).as("reference count").isEqualTo(1);
        } finally {
            composite.release();
            direct.release();
        }
    }

    @Test
    void onlyTopLevelUsageModelAndStopReasonCount() {
        String json = "{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":7,\"cache_creation\":{\"input_tokens\":500},"
                + "\"output_tokens\":3},\"content\":[{\"type\":\"tool_use\",\"input\":{\"usage\":{\"input_tokens\":999,"
                + "\"output_tokens\":999},\"model\":\"inner\",\"stop_reason\":\"inner\"}},"
                + "{\"type\":\"text\",\"text\":\"usage model stop_reason\"}],"
                + "\"meta\":{\"usage\":{\"output_tokens\":888}},\"model\":\"outer\",\"stop_reason\":\"tool_use\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            JsonBodyUsage scan = scan(bytes, cut);
            assertThat(scan.usage())
                    .as("nested usage objects are ignored (split at %d)", cut)
                    .isEqualTo(new Usage(7, 3, 0, 0));
            assertThat(scan.model()).isEqualTo("outer");
            assertThat(scan.stopReason()).isEqualTo("tool_use");
        }
    }

    @Test
    void aTruncatedBodyKeepsWhatWasReadAndNeverThrows() {
        String json = "{\"model\":\"m\",\"usage\":{\"input_tokens\":4,\"output_tokens\":5},\"stop_reason\":\"end";
        JsonBodyUsage scan = scan(json.getBytes(StandardCharsets.UTF_8), 10);

        assertThat(scan.model()).isEqualTo("m");
        assertThat(scan.usage()).isEqualTo(new Usage(4, 5, 0, 0));
        assertThat(scan.stopReason()).as("the unfinished string is not taken").isNull();
    }

    @Test
    void malformedInputStopsTheScanAndKeepsEarlierValues() {
        String json = "{\"model\":\"m\",\"oops\" 1, \"usage\":{\"output_tokens\":5}}";
        JsonBodyUsage scan = scan(json.getBytes(StandardCharsets.UTF_8), 3);

        assertThat(scan.model()).isEqualTo("m");
        assertThat(scan.usage()).as("nothing after the fault").isEqualTo(Usage.ZERO);
    }

    @Test
    void bytesAfterTheRootObjectAreIgnored() {
        String json = "{\"usage\":{\"output_tokens\":5}} {\"usage\":{\"output_tokens\":6}} garbage";
        JsonBodyUsage scan = scan(json.getBytes(StandardCharsets.UTF_8), 0);

        assertThat(scan.usage()).isEqualTo(new Usage(0, 5, 0, 0));
    }

    @Test
    void aNonObjectBodyYieldsNothing() {
        JsonBodyUsage array = scan("[{\"usage\":{\"output_tokens\":5}}]".getBytes(StandardCharsets.UTF_8), 0);
        JsonBodyUsage error = scan(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"
                        .getBytes(StandardCharsets.UTF_8),
                0);

        assertThat(array.usage()).isEqualTo(Usage.ZERO);
        assertThat(array.model()).isNull();
        assertThat(error.usage()).as("an error body has no usage").isEqualTo(Usage.ZERO);
        assertThat(error.stopReason()).isNull();
    }

    /** Scans {@code bytes} fed as two chunks cut at {@code cut}. */
    private static JsonBodyUsage scan(byte[] bytes, int cut) {
        JsonBodyUsage scan = new JsonBodyUsage();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            scan.feed(buf.slice(0, cut));
            scan.feed(buf.slice(cut, bytes.length - cut));
            scan.finish();
        } finally {
            buf.release();
        }
        return scan;
    }
}
