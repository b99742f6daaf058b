package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.ApiKeyStore;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Route;
import io.relaygate.core.config.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyAuthHandlerTest {

    @TempDir
    Path dir;

    private Store store;
    private ApiKeyService keys;
    private String secret;

    @BeforeEach
    void setUp() {
        store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dir, null, "t:"), Map.of());
        keys = new ApiKeyService(new HeldLookups(store.keys()));
        secret =
                keys.create("alice", KeyRules.NONE).toCompletableFuture().join().secret();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new ApiKeyAuthHandler(keys, Clock.systemUTC()));
        ch.attr(RequestInfo.KEY).set(new RequestInfo(Route.MESSAGES, "/v1/messages", System.nanoTime()));
        return ch;
    }

    private static HttpRequest head(String header, String value) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/messages");
        r.headers().set("content-length", 2);
        if (header != null) {
            r.headers().set(header, value);
        }
        return r;
    }

    /**
     * The key store, but a lookup by id answers only when the test thread lets it ({@link #settle}): the handler's
     * slow path, taken deterministically, and the answer arrives on the thread that drives the embedded channel (whose
     * loop counts every thread as its own, so a store thread would touch the channel at the same time).
     */
    private final class HeldLookups implements ApiKeyStore {
        private final ApiKeyStore real;

        HeldLookups(ApiKeyStore real) {
            this.real = real;
        }

        @Override
        public CompletionStage<Optional<ApiKey>> findById(String id) {
            Optional<ApiKey> found = real.findById(id).toCompletableFuture().join();
            CompletableFuture<Optional<ApiKey>> answer = new CompletableFuture<>();
            held.add(() -> answer.complete(found));
            return answer;
        }

        @Override
        public CompletionStage<ApiKey> create(ApiKey key) {
            return real.create(key);
        }

        @Override
        public CompletionStage<Optional<ApiKey>> findByName(String name) {
            return real.findByName(name);
        }

        @Override
        public CompletionStage<List<ApiKey>> list() {
            return real.list();
        }

        @Override
        public CompletionStage<ApiKey> update(ApiKey key) {
            return real.update(key);
        }
    }

    private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();

    /** Answers the lookups held so far, on this thread, then runs what the channel has pending until {@code done}. */
    private void settle(EmbeddedChannel ch, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        do {
            for (Runnable r; (r = held.poll()) != null; ) {
                r.run();
            }
            ch.runPendingTasks();
        } while (!done.getAsBoolean() && System.nanoTime() < deadline);
    }

    /** Looks the key up once, so that it is cached. */
    private void cacheTheKey() {
        CompletableFuture<?> lookup = keys.authenticate(secret).toCompletableFuture();
        for (Runnable r; (r = held.poll()) != null; ) {
            r.run();
        }
        lookup.join();
    }

    @Test
    void validKeyPassesTheHeadAndTheBodyHeldDuringTheLookup() throws Exception {
        EmbeddedChannel ch = channel();
        HttpRequest r = head("x-api-key", secret);
        ch.writeInbound(r, new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));
        settle(ch, () -> ch.inboundMessages().size() == 2);
        assertThat((Object) ch.readInbound()).isSameAs(r);
        LastHttpContent body = ch.readInbound();
        body.release();
        assertThat(ch.attr(RequestInfo.KEY).get().key().name()).isEqualTo("alice");
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCachedKeyIsDecidedWithinTheReadWithoutPausingIt() throws Exception {
        cacheTheKey();
        EmbeddedChannel ch = channel();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ch.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void read(io.netty.channel.ChannelHandlerContext ctx) {
                reads.incrementAndGet();
                ctx.read();
            }
        });
        reads.set(0);
        HttpRequest r = head("x-api-key", secret);

        ch.writeInbound(r, new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));

        assertThat(ch.inboundMessages()).as("passed at once").hasSize(2);
        assertThat(reads.get())
                .as("only the channel's own read after the batch: reading was never paused and resumed (a resume "
                        + "asks for two more)")
                .isEqualTo(1);
        assertThat((Object) ch.readInbound()).isSameAs(r);
        assertThat(ch.attr(RequestInfo.KEY).get().key().name()).isEqualTo("alice");
        assertThat(ch.finishAndReleaseAll()).isTrue();
    }

    @Test
    void bearerTokenIsAcceptedToo() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(head("authorization", "Bearer " + secret));
        settle(ch, () -> !ch.inboundMessages().isEmpty());
        assertThat((Object) ch.readInbound()).isInstanceOf(HttpRequest.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void missingKeyIs401WithoutALookupAndTheBodyIsDropped() {
        EmbeddedChannel ch = channel();
        HttpContent body = new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        ch.writeInbound(head(null, null), body);
        assertThat(body.refCnt()).isZero();
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(401);
            assertThat(resp.content().toString(StandardCharsets.UTF_8)).contains("authentication_error");
        } finally {
            resp.release();
        }
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void wrongKeyIs401AndHeldMessagesAreReleased() throws Exception {
        wrongKeyIs401AndTheBodyIsReleased();
    }

    @Test
    void wrongKeyOfACachedIdIsDecidedWithinTheReadAndIs401Too() throws Exception {
        cacheTheKey();
        wrongKeyIs401AndTheBodyIsReleased();
    }

    private void wrongKeyIs401AndTheBodyIsReleased() throws Exception {
        EmbeddedChannel ch = channel();
        HttpContent body = new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        // the same key id with another last character (a random secret may already end in X: then X is not wrong)
        char last = secret.charAt(secret.length() - 1);
        String wrong = secret.substring(0, secret.length() - 1) + (last == 'X' ? 'Y' : 'X');
        ch.writeInbound(head("x-api-key", wrong), body);
        settle(ch, () -> !ch.outboundMessages().isEmpty());
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(401);
            assertThat(resp.content().toString(StandardCharsets.UTF_8)).doesNotContain(secret);
        } finally {
            resp.release();
        }
        assertThat(body.refCnt()).isZero();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.isOpen())
                .as("the unread body is not read: the connection closes")
                .isFalse();
        ch.finishAndReleaseAll();
    }
}
