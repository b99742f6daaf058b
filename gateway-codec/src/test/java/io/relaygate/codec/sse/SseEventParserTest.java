package io.relaygate.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.RecordingListener.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventParserTest {

    private final RecordingListener listener = new RecordingListener();
    private final SseEventParser parser = new SseEventParser(1024, listener);

    @Test
    void crAtTheEndOfOneChunkAndLfAtTheStartOfTheNextAreOneLineEnd() {
        feed("data: a\r");
        feed("\ndata: b\r\n\r\n");

        assertThat(listener.events)
                .as("a CR|LF pair split across chunks is one line end, not an empty line that dispatches")
                .containsExactly(new Event("", "a\nb"));
    }

    @Test
    void aLoneCrEndsALine() {
        feed("event: x\rdata: 1\r\rdata: 2\r");
        feed("\r");

        assertThat(listener.events)
                .as("CR alone is a line end, and CR CR is a blank line")
                .containsExactly(new Event("x", "1"), new Event("", "2"));
    }

    @Test
    void aMultiByteCodePointSplitAcrossChunksIsReassembled() {
        byte[] bytes = "event: héllo\ndata: grüße 😀 done\n\n".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            RecordingListener l = new RecordingListener();
            SseEventParser p = new SseEventParser(1024, l);
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                p.feed(buf.slice(0, cut));
                p.feed(buf.slice(cut, bytes.length - cut));
            } finally {
                buf.release();
            }
            assertThat(l.events)
                    .as("split at byte %d, inside a code point for some cuts", cut)
                    .containsExactly(new Event("héllo", "grüße 😀 done"));
        }
    }

    @Test
    void commentLinesAreIgnoredAndColonsInValuesKept() {
        feed(": keep-alive\n:\nevent: e\n: comment between fields\ndata: a:b\n\n");

        assertThat(listener.events)
                .as("comments never dispatch and only the first colon separates field from value")
                .containsExactly(new Event("e", "a:b"));
    }

    @Test
    void onlyOneSpaceAfterTheColonIsDropped() {
        feed("data:x\ndata:  y\ndata\n\n");

        assertThat(listener.events)
                .as("no space, two spaces, and a bare field name (an empty data line)")
                .containsExactly(new Event("", "x\n y\n"));
    }

    @Test
    void anEventWithoutDataIsNotDispatchedAndItsNameDoesNotLeak() {
        feed("event: lonely\nid: 7\nretry: 10\n\ndata: d\n\n");

        assertThat(listener.events)
                .as("the name of an event without data is dropped with it")
                .containsExactly(new Event("", "d"));
    }

    @Test
    void anEmptyDataLineDispatchesAnEventWithEmptyData() {
        feed("event: blank\ndata:\n\n");

        assertThat(listener.events).as("data: with no value").containsExactly(new Event("blank", ""));
    }

    @Test
    void theLastEventLineWinsForTheName() {
        feed("event: first\nevent: second\ndata: d\n\ndata: e\n\n");

        assertThat(listener.events)
                .as("event replaces the name; the next event starts without one")
                .containsExactly(new Event("second", "d"), new Event("", "e"));
    }

    @Test
    void unknownAndLongFieldNamesAreIgnored() {
        feed("dataX: no\ndat: no\nevents: no\nxdata: no\ndata: yes\n\n");

        assertThat(listener.events).as("only exact field names count").containsExactly(new Event("", "yes"));
    }

    @Test
    void aLeadingByteOrderMarkIsSkippedEvenWhenSplit() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        feed(new byte[] {bom[0]});
        feed(new byte[] {bom[1], bom[2], 'd', 'a', 't', 'a', ':', '1', '\n', '\n'});

        assertThat(listener.events)
                .as("the BOM before the first field is not part of its name")
                .containsExactly(new Event("", "1"));
    }

    @Test
    void aByteOrderMarkAfterTheStartIsNotSkipped() {
        feed("data: 1\n\n\uFEFFdata: 2\n\ndata: 3\n\n");

        assertThat(listener.events)
                .as("a BOM later in the stream makes the field name unknown")
                .containsExactly(new Event("", "1"), new Event("", "3"));
    }

    @Test
    void bytesThatOnlyStartLikeAByteOrderMarkAreKept() {
        feed(new byte[] {(byte) 0xEF, (byte) 0xBB, 'A', '\n', 'd', 'a', 't', 'a', ':', '2', '\n', '\n'});
        RecordingListener other = new RecordingListener();
        SseEventParser second = new SseEventParser(64, other);
        ByteBuf buf = Unpooled.copiedBuffer("data: x\n\n", StandardCharsets.UTF_8);
        try {
            second.feed(buf);
        } finally {
            buf.release();
        }

        assertThat(listener.events)
                .as("a partial BOM is replayed as an (unknown) field name")
                .containsExactly(new Event("", "2"));
        assertThat(other.events).as("no BOM at all").containsExactly(new Event("", "x"));
    }

    @Test
    void finishDispatchesAnUnterminatedEventIncludingAPartialLine() {
        feed("data: complete\n\nevent: last\ndata: a\ndata: tail");
        assertThat(listener.events).as("before finish").containsExactly(new Event("", "complete"));

        parser.finish();
        parser.finish();

        assertThat(listener.events)
                .as("finish ends the pending line and dispatches once")
                .containsExactly(new Event("", "complete"), new Event("last", "a\ntail"));
        assertThatThrownBy(() -> feed("data: late\n\n"))
                .as("feeding after finish is a caller bug")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void finishWithoutPendingDataDispatchesNothing() {
        feed("data: a\n\nevent: only-a-name\n");
        parser.finish();

        assertThat(listener.events).containsExactly(new Event("", "a"));
    }

    @Test
    void anEventUpToTheLimitPassesAndOneByteMoreFails() {
        RecordingListener l = new RecordingListener();
        SseEventParser small = new SseEventParser(16, l);
        // name (5) + data (11) = 16
        feedTo(small, "event: abcde\ndata: 0123456789A\n\n");
        assertThat(l.events).as("exactly at the limit").hasSize(1);

        assertThatThrownBy(() -> feedTo(small, "event: abcde\ndata: 0123456789AB\n\n"))
                .as("name plus data over the limit")
                .isInstanceOf(SseFrameTooLongException.class)
                .hasMessageContaining("16")
                .satisfies(e -> assertThat(((SseFrameTooLongException) e).maxEventBytes())
                        .isEqualTo(16))
                .satisfies(e -> assertThat(e.getStackTrace()).as("stackless").isEmpty());

        feedTo(small, "data: x\n\n");
        assertThat(l.events)
                .as("after the failure the rest of the stream is ignored")
                .hasSize(1);
    }

    @Test
    void multiLineDataCountsItsSeparatorsTowardTheLimit() {
        RecordingListener l = new RecordingListener();
        SseEventParser small = new SseEventParser(4, l);

        assertThatThrownBy(() -> feedTo(small, "data: ab\ndata: cd\n\n"))
                .as("ab + \\n + cd is 5 bytes")
                .isInstanceOf(SseFrameTooLongException.class);
        assertThat(l.events).isEmpty();
    }

    @Test
    void anOversizedEventSplitAcrossManyChunksFails() {
        RecordingListener l = new RecordingListener();
        SseEventParser small = new SseEventParser(100, l);
        feedTo(small, "data: ");
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 20; i++) {
                        feedTo(small, "0123456789");
                    }
                })
                .as("the bound holds however the bytes arrive")
                .isInstanceOf(SseFrameTooLongException.class);
    }

    @Test
    void feedLeavesIndicesAndReferenceCountAlone() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            buf.writeBytes("xx".getBytes(StandardCharsets.UTF_8));
            buf.readerIndex(2);
            buf.writeBytes("event: e\ndata: d\n\n".getBytes(StandardCharsets.UTF_8));
            int reader = buf.readerIndex();
            int writer = buf.writerIndex();

            parser.feed(buf);

            assertThat(buf.readerIndex()).as("reader index").isEqualTo(reader);
            assertThat(buf.writerIndex()).as("writer index").isEqualTo(writer);
            assertThat(buf.refCnt()).as("reference count").isEqualTo(1);
            assertThat(listener.events).as("only the readable bytes are parsed").containsExactly(new Event("e", "d"));
        } finally {
            buf.release();
        }
    }

    @Test
    void eventNamesAreNotReallocatedForRepeatedEvents() {
        List<String> names = new ArrayList<>();
        SseEventParser p = new SseEventParser(1024, (name, data, offset, length) -> names.add(name));
        feedTo(p, "event: content_block_delta\ndata: 1\n\nevent: content_block_delta\ndata: 2\n\n");
        feedTo(p, "event: custom.thing\ndata: 1\n\nevent: custom.thing\ndata: 2\n\n");

        assertThat(names).containsExactly("content_block_delta", "content_block_delta", "custom.thing", "custom.thing");
        assertThat(names.get(1)).as("a well-known name is one shared String").isSameAs(names.get(0));
        assertThat(names.get(3))
                .as("an unknown name is learned once per stream")
                .isSameAs(names.get(2));
    }

    @Test
    void theDataArrayIsReusedAndOnlyValidDuringTheCall() {
        List<byte[]> arrays = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        SseEventParser p = new SseEventParser(1024, (name, data, offset, length) -> {
            arrays.add(data);
            texts.add(new String(data, offset, length, StandardCharsets.UTF_8));
        });
        feedTo(p, "data: first\n\ndata: 2nd\n\n");

        assertThat(texts).as("offset and length frame each event").containsExactly("first", "2nd");
        assertThat(arrays.get(1)).as("no per-event data array").isSameAs(arrays.get(0));
    }

    @Test
    void aListenerThatThrowsLeavesTheParserAtAnEventBoundary() {
        List<String> seen = new ArrayList<>();
        SseEventParser p = new SseEventParser(1024, (name, data, offset, length) -> {
            String text = new String(data, offset, length, StandardCharsets.UTF_8);
            seen.add(text);
            if (text.equals("boom")) {
                throw new IllegalStateException("listener failed");
            }
        });
        assertThatThrownBy(() -> feedTo(p, "data: boom\n\n")).isInstanceOf(IllegalStateException.class);
        feedTo(p, "data: next\n\n");

        assertThat(seen)
                .as("the failed event's data does not leak into the next")
                .containsExactly("boom", "next");
    }

    @Test
    void constructorRejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new SseEventParser(0, listener))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEventBytes: 0 (expected: > 0)");
    }

    private void feed(String s) {
        feedTo(parser, s);
    }

    private void feed(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            parser.feed(buf);
        } finally {
            buf.release();
        }
    }

    private static void feedTo(SseEventParser p, String s) {
        ByteBuf buf = Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
        try {
            p.feed(buf);
        } finally {
            buf.release();
        }
    }
}
