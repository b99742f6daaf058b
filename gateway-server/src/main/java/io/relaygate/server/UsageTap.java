package io.relaygate.server;

import io.netty.buffer.ByteBuf;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.codec.usage.AnthropicJsonUsage;
import io.relaygate.codec.usage.AnthropicStreamUsage;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.WireFormat;
import org.jspecify.annotations.Nullable;

/**
 * Reads usage from a response while its bytes are relayed, without changing or holding them. Formats without a tap
 * yet report {@link Usage#ZERO}.
 */
abstract class UsageTap {

    /** Largest single SSE event the tap follows; bigger events are relayed but not parsed. */
    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    /** Feeds relayed bytes; indices and reference count of {@code content} are unchanged. */
    abstract void feed(ByteBuf content);

    abstract void finish();

    abstract Usage usage();

    abstract @Nullable String model();

    static UsageTap of(Route route, WireFormat upstreamFormat, boolean sse) {
        if (route == Route.MESSAGES && upstreamFormat == WireFormat.ANTHROPIC) {
            return sse ? new AnthropicSse() : new AnthropicJson();
        }
        return new None();
    }

    private static final class AnthropicSse extends UsageTap {
        private final AnthropicStreamUsage usage = new AnthropicStreamUsage();
        private final SseEventParser parser = new SseEventParser(MAX_EVENT_BYTES, usage);
        private boolean broken;

        @Override
        void feed(ByteBuf content) {
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
        void finish() {
            if (!broken) {
                parser.finish();
            }
        }

        @Override
        Usage usage() {
            return usage.usage();
        }

        @Override
        @Nullable
        String model() {
            return usage.model();
        }
    }

    private static final class AnthropicJson extends UsageTap {
        private final AnthropicJsonUsage usage = new AnthropicJsonUsage();

        @Override
        void feed(ByteBuf content) {
            usage.feed(content);
        }

        @Override
        void finish() {
            usage.finish();
        }

        @Override
        Usage usage() {
            return usage.usage();
        }

        @Override
        @Nullable
        String model() {
            return usage.model();
        }
    }

    private static final class None extends UsageTap {
        @Override
        void feed(ByteBuf content) {}

        @Override
        void finish() {}

        @Override
        Usage usage() {
            return Usage.ZERO;
        }

        @Override
        @Nullable
        String model() {
            return null;
        }
    }
}
