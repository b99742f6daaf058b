package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbound handlers in pipeline order, fed raw HTTP bytes split at every boundary: the request that comes out is
 * the same whatever the split, its body byte for byte.
 */
class InboundPipelineSplitTest {

    @TempDir
    Path dir;

    private Store store;
    private ApiKeyService keys;
    private String secret;

    @BeforeEach
    void setUp() {
        store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dir, null, "t:"), Map.of());
        keys = new ApiKeyService(store.keys());
        secret =
                keys.create("split", KeyRules.NONE).toCompletableFuture().join().secret();
        keys.authenticate(secret).toCompletableFuture().join();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private EmbeddedChannel pipeline() {
        return new EmbeddedChannel(
                new HttpServerCodec(),
                new RouteHandler(1024 * 1024),
                new ApiKeyAuthHandler(keys, Clock.systemUTC()),
                new BodyAggregator(1024 * 1024),
                new RequestSkimHandler());
    }

    private String request(String body) {
        return "POST /claude/v1/messages?beta=true HTTP/1.1\r\nHost: gw\r\nx-api-key: " + secret
                + "\r\ncontent-type: application/json\r\ncontent-length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void everyTwoWaySplitYieldsTheSameProxyRequest() {
        // A multi-byte character so some splits fall inside a code point.
        String body =
                "{\"model\":\"claude-opus-4-1\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"h\u00e9llo \u2603\"}]}";
        byte[] raw = request(body).getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < raw.length; split++) {
            // the lookup must answer from the key cache (at once, on this thread): on a loaded machine the ~230
            // splits outlast its 5 s TTL, and an asynchronous lookup would leave nothing to read yet
            keys.authenticate(secret).toCompletableFuture().join();
            EmbeddedChannel ch = pipeline();
            ch.writeInbound(Unpooled.wrappedBuffer(raw, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(raw, split, raw.length - split));
            ProxyRequest p = ch.readInbound();
            assertThat(p).as("split at %d", split).isNotNull();
            try {
                assertThat(p.skim.model()).isEqualTo("claude-opus-4-1");
                assertThat(p.info.query()).isEqualTo("?beta=true");
                assertThat(p.info.key().name()).isEqualTo("split");
                ByteBuf content = p.request.content();
                assertThat(content.toString(StandardCharsets.UTF_8))
                        .as("split at %d", split)
                        .isEqualTo(body);
            } finally {
                p.release();
            }
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void byteByByteBadJsonIsAnswered400() {
        byte[] raw = request("{\"model\":\"m\",").getBytes(StandardCharsets.UTF_8);
        EmbeddedChannel ch = pipeline();
        for (byte b : raw) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat((Object) ch.readInbound()).isNull();
        ByteBuf out = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            out.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("HTTP/1.1 400")
                .contains("invalid_request_error");
        out.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
