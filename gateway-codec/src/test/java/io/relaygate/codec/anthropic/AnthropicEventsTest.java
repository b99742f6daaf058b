package io.relaygate.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStart;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStop;
import io.relaygate.codec.anthropic.AnthropicEvent.DeltaKind;
import io.relaygate.codec.anthropic.AnthropicEvent.ErrorEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStart;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStop;
import io.relaygate.codec.anthropic.AnthropicEvent.Tokens;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnthropicEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theWriterWritesAnthropicsFieldOrderByteForByte() {
        List<String> out = new ArrayList<>();
        AnthropicEventWriter w = new AnthropicEventWriter(b -> out.add(new String(b, StandardCharsets.UTF_8)));

        w.onAnthropicEvent(AnthropicEvent.messageStart("msg_1", "claude-sonnet-4-5"));
        w.onAnthropicEvent(new BlockStart(0, AnthropicEvent.Thinking.EMPTY));
        w.onAnthropicEvent(new BlockDelta(0, DeltaKind.SIGNATURE, "sig"));
        w.onAnthropicEvent(new BlockStop(0));
        w.onAnthropicEvent(new BlockStart(1, AnthropicEvent.ToolUse.start("toolu_1", "Read")));
        w.onAnthropicEvent(new BlockDelta(1, DeltaKind.INPUT_JSON, "{\"a\":\"ż\\n\"}"));
        w.onAnthropicEvent(new MessageDelta("tool_use", Tokens.ofDelta(new Usage(10, 5, 0, 2))));
        w.onAnthropicEvent(MessageStop.INSTANCE);
        w.onAnthropicEvent(new ErrorEvent("api_error", "boom \"x\""));

        assertThat(out)
                .as("the bytes the transcoders wrote before the event model, which the golden transcripts pin")
                .containsExactly(
                        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                                + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
                                + "{\"input_tokens\":0,\"cache_creation_input_tokens\":0,"
                                + "\"cache_read_input_tokens\":0,\"output_tokens\":0}}}\n\n",
                        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                                + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n",
                        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig\"}}\n\n",
                        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Read\","
                                + "\"input\":{}}}\n\n",
                        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
                                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
                                + "\"{\\\"a\\\":\\\"ż\\\\n\\\"}\"}}\n\n",
                        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                                + "\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":10,"
                                + "\"cache_read_input_tokens\":2,\"output_tokens\":5}}\n\n",
                        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                                + "\"message\":\"boom \\\"x\\\"\"}}\n\n");
    }

    @Test
    void whatTheWriterWritesReadsBackAsTheSameEvents() {
        List<AnthropicEvent> events = List.of(
                AnthropicEvent.messageStart("msg_1", "m"),
                new BlockStart(0, new AnthropicEvent.Text("")),
                new BlockDelta(0, DeltaKind.TEXT, "héllo\n"),
                new BlockDelta(0, DeltaKind.THINKING, "hmm"),
                new BlockStop(0),
                new BlockStart(1, new AnthropicEvent.RedactedThinking("opaque")),
                new MessageDelta("end_turn", new Tokens(1, 2, 3, 4)),
                MessageStop.INSTANCE,
                new ErrorEvent("overloaded_error", "busy"));
        List<byte[]> frames = new ArrayList<>();
        AnthropicEventWriter w = new AnthropicEventWriter(frames::add);
        events.forEach(w::onAnthropicEvent);

        assertThat(readAll(frames)).as("read and written once, the two agree").isEqualTo(events);
    }

    @Test
    void absentUsageCountsStayAbsentAndKeepTheEarlierValue() {
        AnthropicEvent e =
                read("message_delta", "{\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":7}}");

        assertThat(e).isInstanceOf(MessageDelta.class);
        MessageDelta d = (MessageDelta) e;
        assertThat(d.stopReason()).as("no stop reason in the event").isNull();
        assertThat(d.usage().outputOr(1)).isEqualTo(7);
        assertThat(d.usage().inputOr(42))
                .as("message_delta usage is cumulative: absent keeps")
                .isEqualTo(42);
    }

    @Test
    void pingUnknownEventsAndNonObjectsReadAsNothing() {
        assertThat(read("ping", "{\"type\": \"ping\"}")).isNull();
        assertThat(read("future_event", "{\"type\":\"future_event\"}")).isNull();
        assertThat(read("message_stop", "[DONE]")).as("not JSON").isNull();
        assertThat(read("message_stop", "[]")).as("not an object").isNull();
    }

    @Test
    void anUnnamedOrDefaultNamedEventIsTypedByItsData() {
        assertThat(read("", "{\"type\":\"message_stop\"}")).isEqualTo(MessageStop.INSTANCE);
        assertThat(read("message", "{\"type\":\"content_block_stop\",\"index\":3}"))
                .isEqualTo(new BlockStop(3));
    }

    @Test
    void unknownDeltaAndBlockTypesAreReadSoTheyStillStartAStreamButAnUnknownDeltaIsNeverWritten() {
        assertThat(read(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\"}}"))
                .isEqualTo(new BlockDelta(0, DeltaKind.OTHER, ""));
        assertThat(read("content_block_start", "{\"index\":2,\"content_block\":{\"type\":\"server_tool_use\"}}"))
                .isEqualTo(new BlockStart(2, new AnthropicEvent.OtherBlock("server_tool_use")));
        AnthropicEventWriter w = new AnthropicEventWriter(b -> {});
        assertThatThrownBy(() -> w.onAnthropicEvent(new BlockDelta(0, DeltaKind.OTHER, "")))
                .hasMessageContaining("expected: a kind with a wire type");
    }

    @Test
    void fieldsAreReadInAnyOrderAndAToolBlocksInputIsKeptAsATree() {
        AnthropicEvent e = read(
                "",
                "{\"content_block\":{\"input\":{\"path\":[1,{\"a\":null}]},\"name\":\"Read\",\"id\":\"toolu_9\","
                        + "\"type\":\"tool_use\"},\"index\":4,\"type\":\"content_block_start\"}");

        assertThat(e).isInstanceOf(BlockStart.class);
        BlockStart s = (BlockStart) e;
        assertThat(s.index()).isEqualTo(4);
        assertThat(s.block()).isInstanceOf(AnthropicEvent.ToolUse.class);
        AnthropicEvent.ToolUse tool = (AnthropicEvent.ToolUse) s.block();
        assertThat(tool.id()).isEqualTo("toolu_9");
        assertThat(tool.name()).isEqualTo("Read");
        assertThat(tool.input().toString()).isEqualTo("{\"path\":[1,{\"a\":null}]}");
    }

    @Test
    void oddValuesReadAsTheTreeReadThem() {
        MessageStart s = (MessageStart) read(
                "message_start",
                "{\"message\":{\"id\":null,\"model\":{\"x\":1},\"usage\":{\"input_tokens\":\"5\","
                        + "\"output_tokens\":18446744073709551617,\"cache_read_input_tokens\":2.0}},\"extra\":[1,2]}");
        assertThat(s.id()).as("null: the default").isEmpty();
        assertThat(s.model()).as("an object has no text").isEmpty();
        assertThat(s.usage().inputOr(-7)).as("a string is no count").isEqualTo(-7);
        assertThat(s.usage().outputOr(-7))
                .as("past a long: wraps, as BigInteger.longValue")
                .isEqualTo(1);
        assertThat(s.usage().cacheReadOr(-7)).as("a float is no count").isEqualTo(-7);

        ErrorEvent err = (ErrorEvent) read("error", "{\"error\":{\"type\":5,\"message\":null}}");
        assertThat(err).isEqualTo(new ErrorEvent("5", "upstream error"));
        assertThat(read("content_block_delta", "{\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"},\"index\":\"x\"}"))
                .isEqualTo(new BlockDelta(0, DeltaKind.TEXT, "a"));
        assertThat(read("message_delta", "{\"delta\":{\"stop_reason\":7}}"))
                .as("only a string is a stop reason")
                .isEqualTo(new MessageDelta(null, Tokens.NONE));
        assertThat(read("message_stop", "{\"type\":\"message_stop\""))
                .as("truncated JSON")
                .isNull();
    }

    @Test
    void messageIdsKeepOnlyIdCharactersAndAnEmptyOneGetsARandomId() {
        assertThat(AnthropicEvent.messageId("resp_ab/c.d-9")).isEqualTo("msg_resp_abcd-9");
        assertThat(AnthropicEvent.messageId("")).startsWith("msg_").hasSize(4 + 24);
        assertThat(AnthropicEvent.messageId("///"))
                .as("nothing left: random too")
                .hasSize(4 + 24);
        assertThat(AnthropicEvent.ToolUse.start("", "x").id()).startsWith("toolu_");
    }

    private static AnthropicEvent read(String name, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return AnthropicEventReader.read(name, bytes, 0, bytes.length);
    }

    private static List<AnthropicEvent> readAll(List<byte[]> frames) {
        List<AnthropicEvent> out = new ArrayList<>();
        SseEventParser parser = new SseEventParser(1 << 16, (name, data, offset, length) -> {
            AnthropicEvent e = AnthropicEventReader.read(name, data, offset, length);
            if (e != null) {
                out.add(e);
            }
        });
        for (byte[] f : frames) {
            ByteBuf buf = Unpooled.wrappedBuffer(f);
            try {
                parser.feed(buf);
            } finally {
                buf.release();
            }
        }
        parser.finish();
        return out;
    }
}
