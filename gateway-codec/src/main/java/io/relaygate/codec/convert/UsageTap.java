package io.relaygate.codec.convert;

import io.netty.buffer.ByteBuf;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.codec.usage.AnthropicStreamUsage;
import io.relaygate.codec.usage.ChatStreamUsage;
import io.relaygate.codec.usage.JsonBodyUsage;
import io.relaygate.codec.usage.ResponsesStreamUsage;
import io.relaygate.codec.usage.StreamEnd;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.WireFormat;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads usage from a response while its bytes are relayed, without changing or holding them. Formats without a tap
 * yet report {@link Usage#ZERO}. One per exchange, fed on the thread that relays it.
 */
public abstract class UsageTap {

    /** Largest single SSE event the tap follows; bigger events are relayed but not parsed. */
    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    private UsageTap() {}

    /** Feeds relayed bytes; indices and reference count of {@code content} are unchanged. */
    public abstract void feed(ByteBuf content);

    /** The response ended: an event still in the parser is read. */
    public abstract void finish();

    /** Tokens seen so far, in Anthropic's terms. */
    public abstract Usage usage();

    /** The model the upstream reported, when the tap read one. */
    public abstract @Nullable String model();

    /**
     * Whether the answer reached its final event ({@link StreamEnd}); always true for whole answers and untapped
     * formats, whose end the HTTP framing tells.
     */
    public boolean ended() {
        return true;
    }

    /** The upstream's own error when its stream ended with one, else null. */
    public @Nullable String upstreamError() {
        return null;
    }

    /** A tap whose usage comes from elsewhere (a converter that parses the stream anyway). */
    public static UsageTap of(Supplier<Usage> usage) {
        return new UsageTap() {
            @Override
            public void feed(ByteBuf content) {}

            @Override
            public void finish() {}

            @Override
            public Usage usage() {
                return usage.get();
            }

            @Override
            public @Nullable String model() {
                return null;
            }
        };
    }

    /**
     * The tap for a response relayed as is on {@code route} from an account speaking {@code upstreamFormat}, a stream
     * when {@code sse}; a route and format without one get a tap that reads nothing.
     */
    public static UsageTap of(Route route, WireFormat upstreamFormat, boolean sse) {
        if (route == Route.MESSAGES && upstreamFormat == WireFormat.ANTHROPIC) {
            return sse
                    ? new Sse<>(new AnthropicStreamUsage(), AnthropicStreamUsage::usage, AnthropicStreamUsage::model)
                    : new Json();
        }
        if (route == Route.CHAT_COMPLETIONS && upstreamFormat == WireFormat.OPENAI_CHAT) {
            return sse ? new Sse<>(new ChatStreamUsage(), ChatStreamUsage::usage, ChatStreamUsage::model) : new Json();
        }
        if (route == Route.RESPONSES && upstreamFormat == WireFormat.OPENAI_RESPONSES) {
            return sse
                    ? new Sse<>(new ResponsesStreamUsage(), ResponsesStreamUsage::usage, ResponsesStreamUsage::model)
                    : new Json(JsonBodyUsage.forResponses());
        }
        return new None();
    }

    /** A stream tap: an SSE parser feeding a format's usage listener. */
    private static final class Sse<L extends StreamEnd> extends UsageTap {
        private final L listener;
        private final Function<L, Usage> usage;
        private final Function<L, @Nullable String> model;
        private final SseEventParser parser;
        private boolean broken;

        Sse(L listener, Function<L, Usage> usage, Function<L, @Nullable String> model) {
            this.listener = listener;
            this.usage = usage;
            this.model = model;
            this.parser = new SseEventParser(MAX_EVENT_BYTES, listener);
        }

        @Override
        public void feed(ByteBuf content) {
            if (broken) {
                return;
            }
            try {
                parser.feed(content);
            } catch (RuntimeException e) {
                // An oversized or odd event must never break the relay; usage is then what was seen before it.
                broken = true;
            }
        }

        @Override
        public void finish() {
            if (!broken) {
                parser.finish();
            }
        }

        @Override
        public Usage usage() {
            return usage.apply(listener);
        }

        @Override
        public @Nullable String model() {
            return model.apply(listener);
        }

        @Override
        public boolean ended() {
            // a tap that gave up on an oversized event cannot tell: the stream is taken as it came
            return broken || listener.ended();
        }

        @Override
        public @Nullable String upstreamError() {
            return listener.error();
        }
    }

    private static final class Json extends UsageTap {
        private final JsonBodyUsage usage;

        Json() {
            this(new JsonBodyUsage());
        }

        Json(JsonBodyUsage usage) {
            this.usage = usage;
        }

        @Override
        public void feed(ByteBuf content) {
            usage.feed(content);
        }

        @Override
        public void finish() {
            usage.finish();
        }

        @Override
        public Usage usage() {
            return usage.usage();
        }

        @Override
        public @Nullable String model() {
            return usage.model();
        }
    }

    private static final class None extends UsageTap {
        @Override
        public void feed(ByteBuf content) {}

        @Override
        public void finish() {}

        @Override
        public Usage usage() {
            return Usage.ZERO;
        }

        @Override
        public @Nullable String model() {
            return null;
        }
    }
}
