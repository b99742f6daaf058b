package io.relaygate.server.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.relaygate.accounts.AccountSelector;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.codec.client.ClientIdentity;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.Route;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.config.SchedulingConfig;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.core.config.UpstreamConfig;
import io.relaygate.server.exchange.AdmissionHandler;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.exchange.SameThreadAccounts;
import io.relaygate.server.pipeline.ProxyRequest;
import io.relaygate.server.pipeline.RequestInfo;
import io.relaygate.server.upstream.OAuthRefresher;
import io.relaygate.server.upstream.UpstreamConnections;
import io.relaygate.server.upstream.UpstreamTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADMIT and RELAY on an embedded client channel, with every upstream connection an embedded channel of its own: the
 * test plays the upstream (reads the request RELAY sent, answers with HTTP objects) and the client (reads what RELAY
 * wrote). The scheduler is the real one on the embedded store.
 */
class UpstreamRelayHandlerTest {

    private static final String SSE = "text/event-stream";

    @TempDir
    Path dir;

    private Store store;
    private Scheduler scheduler;
    private final List<ExchangeOutcome> outcomes = new ArrayList<>();
    private final EmbeddedConnections connections = new EmbeddedConnections();
    private EmbeddedChannel client;

    @BeforeEach
    void setUp() {
        store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dir, null, "t:"), Map.of());
        scheduler = new Scheduler(
                new AccountSelector(new SameThreadAccounts(store.accounts())),
                store.state(),
                SchedulingConfig.defaults());
        account("first", 10);
        account("second", 20);
        client = new EmbeddedChannel(
                new AdmissionHandler(
                        scheduler,
                        new OAuthRefresher(
                                store,
                                scheduler,
                                Clock.systemUTC(),
                                (what, url, proxy, trust, json) -> CompletableFuture.failedFuture(
                                        new AssertionError("no token call in this test"))),
                        Catalogue::shipped,
                        outcomes::add,
                        3),
                new UpstreamRelayHandler(connections, UpstreamConfig.defaults()));
    }

    @AfterEach
    void tearDown() {
        for (EmbeddedChannel upstream : connections.handedOut) {
            upstream.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
        store.close();
    }

    @Test
    void anAccountThatIsOverloadedBeforeTheFirstByteIsCooledDownAndTheNextOneServes() {
        send(request());
        EmbeddedChannel first = connections.take("first.test");
        release(first.readOutbound());
        first.writeInbound(
                head(529, "application/json"), last("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}"));

        EmbeddedChannel second = connections.take("second.test");
        FullHttpRequest forwarded = second.readOutbound();
        assertThat(forwarded.content().toString(StandardCharsets.UTF_8))
                .as("the same body goes to the next account")
                .isEqualTo(body());
        forwarded.release();
        second.writeInbound(
                head(200, SSE), content("event: message_stop\ndata: {}\n\n"), LastHttpContent.EMPTY_LAST_CONTENT);

        HttpResponse answer = client.readOutbound();
        assertThat(answer.status().code())
                .as("the client sees only the second account's answer")
                .isEqualTo(200);
        assertThat(drainText()).contains("message_stop");
        assertThat(connections.released)
                .as("both answers were whole and keep-alive: both connections go back to the pool")
                .containsExactly(first, second);
        ExchangeOutcome outcome = onlyOutcome();
        assertThat(outcome.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(outcome.account()).isEqualTo("second");
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.attemptLog())
                .as("each attempt with its account, status and failure, so the bill can be followed")
                .extracting(
                        ExchangeOutcome.Attempt::account,
                        ExchangeOutcome.Attempt::status,
                        ExchangeOutcome.Attempt::error)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("first", 529, "overloaded"),
                        org.assertj.core.groups.Tuple.tuple("second", 200, null));
        assertThat(outcome.candidates()).containsExactly("first", "second");
        Map<String, AccountCondition> conditions =
                store.state().conditions(Instant.now()).toCompletableFuture().join();
        assertThat(conditions.get("id-first").state()).isEqualTo(AccountCondition.State.OVERLOADED);
        assertThat(conditions).doesNotContainKey("id-second");
    }

    @Test
    void anUpstreamThatDiesMidStreamEndsTheClientsStreamWithAnErrorEventAndKeepsTheUsage() {
        send(request());
        EmbeddedChannel first = connections.take("first.test");
        release(first.readOutbound());
        first.writeInbound(
                head(200, SSE),
                content("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                        + "{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"));
        first.close();

        assertThat(((HttpResponse) client.readOutbound()).status().code()).isEqualTo(200);
        String text = drainText();
        assertThat(text).contains("message_start").contains("event: error");
        ExchangeOutcome outcome = onlyOutcome();
        assertThat(outcome.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(outcome.usage().inputTokens())
                .as("usage seen before the death")
                .isEqualTo(12);
        assertThat(connections.handedOut).as("no failover after the first byte").hasSize(1);
        assertThat(client.isOpen())
                .as("an SSE stream ends well-formed; the connection stays")
                .isTrue();
    }

    @Test
    void aClientThatLeavesMidStreamClosesTheUpstreamAndIsRecordedAsCancelled() {
        send(request());
        EmbeddedChannel first = connections.take("first.test");
        release(first.readOutbound());
        first.writeInbound(
                head(200, SSE),
                content("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                        + "{\"input_tokens\":7,\"output_tokens\":1}}}\n\n"));

        client.close();

        assertThat(first.isOpen())
                .as("the upstream request is cancelled with the client")
                .isFalse();
        ExchangeOutcome outcome = onlyOutcome();
        assertThat(outcome.end()).isEqualTo(ExchangeOutcome.End.CLIENT_CANCELLED);
        assertThat(outcome.usage().inputTokens()).isEqualTo(7);
        assertThat(connections.released).isEmpty();
    }

    @Test
    void aSlowClientStopsReadingFromTheUpstreamUntilItDrains() {
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        send(request());
        EmbeddedChannel first = connections.take("first.test");
        release(first.readOutbound());
        first.writeInbound(head(200, SSE));
        client.flushOutbound();
        assertThat(first.config().isAutoRead()).isTrue();

        // One event, not flushed (no read-complete yet): more than the client's high water mark is pending.
        first.writeOneInbound(content("event: content_block_delta\ndata: {\"x\":\"" + "a".repeat(64) + "\"}\n\n"));
        assertThat(client.isWritable()).isFalse();
        assertThat(first.config().isAutoRead()).as("backpressure on").isFalse();

        client.flushOutbound();
        assertThat(client.isWritable()).isTrue();
        assertThat(first.config().isAutoRead())
                .as("backpressure off once the client drained")
                .isTrue();

        first.writeInbound(content("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
        first.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(onlyOutcome().end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
    }

    @Test
    void aStreamWhoseBodyEndsBeforeMessageStopEndsWithAnErrorEventAndItsConnectionIsNotReused() {
        send(request());
        EmbeddedChannel first = connections.take("first.test");
        release(first.readOutbound());
        first.writeInbound(
                head(200, SSE),
                content("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                        + "{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"),
                // the last chunk arrives cleanly, but in the middle of an event and before message_stop
                last("event: content_block_delta\ndata: {\"type\":\"content_blo"));

        assertThat(((HttpResponse) client.readOutbound()).status().code()).isEqualTo(200);
        String text = drainText();
        assertThat(text)
                .as("what came is relayed, then the half event is ended and an error event follows on its own")
                .contains("message_start", "\"type\":\"content_blo\n\nevent: error\n");
        ExchangeOutcome outcome = onlyOutcome();
        assertThat(outcome.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(outcome.error()).isEqualTo("truncated");
        assertThat(outcome.usage().inputTokens()).as("tokens seen are kept").isEqualTo(9);
        assertThat(connections.released)
                .as("a connection whose answer was cut short is not returned to the pool")
                .isEmpty();
        assertThat(client.isOpen()).as("the client's stream ended well-formed").isTrue();
    }

    @Test
    void aStreamThatEndsWithTheUpstreamsErrorEventIsRecordedAsAnUpstreamError() {
        send(request());
        EmbeddedChannel first = connections.take("first.test");
        release(first.readOutbound());
        first.writeInbound(
                head(200, SSE),
                content("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                        + "{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"),
                last("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"Overloaded\"}}\n\n"));

        client.readOutbound();
        assertThat(drainText())
                .as("the upstream's error event reaches the client as it came")
                .contains("overloaded_error");
        ExchangeOutcome outcome = onlyOutcome();
        assertThat(outcome.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_ERROR);
        assertThat(outcome.error()).isEqualTo("overloaded_error");
        assertThat(outcome.isError())
                .as("counted as an error in usage and metrics")
                .isTrue();
        assertThat(outcome.usage().inputTokens()).isEqualTo(5);
        assertThat(outcome.attemptLog()).singleElement().satisfies(a -> {
            assertThat(a.account()).isEqualTo("first");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.usage().inputTokens()).isEqualTo(5);
        });
    }

    @Test
    void anUpstreamErrorInTheClientsFormatIsRelayedAsItIsWhenNoAccountIsLeft() {
        send(request());
        for (String host : List.of("first.test", "second.test")) {
            EmbeddedChannel upstream = connections.take(host);
            release(upstream.readOutbound());
            upstream.writeInbound(
                    head(500, "application/json"),
                    last("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}"));
        }
        FullHttpResponse answer = client.readOutbound();
        try {
            assertThat(answer.status().code()).isEqualTo(500);
            assertThat(answer.content().toString(StandardCharsets.UTF_8))
                    .as("the upstream's own body")
                    .contains("\"api_error\"")
                    .contains("boom");
        } finally {
            answer.release();
        }
        ExchangeOutcome outcome = onlyOutcome();
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.error()).isEqualTo("upstream_500");
        assertThat(store.state().conditions(Instant.now()).toCompletableFuture().join())
                .as("a server error is this request's failure, not the account's")
                .isEmpty();
    }

    // ---- helpers ----

    private void account(String name, int priority) {
        store.accounts()
                .create(new Account(
                        "id-" + name,
                        name,
                        AccountKind.ANTHROPIC_API,
                        "http://" + name + ".test",
                        "sk-ant-" + name,
                        null,
                        priority,
                        true,
                        null,
                        List.of(),
                        Map.of(),
                        Instant.EPOCH,
                        null,
                        Map.of()))
                .toCompletableFuture()
                .join();
    }

    private static String body() {
        return "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}";
    }

    private static ProxyRequest request() {
        FullHttpRequest in = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/v1/messages",
                Unpooled.copiedBuffer(body(), StandardCharsets.UTF_8));
        RequestInfo info = new RequestInfo(Route.MESSAGES, "/v1/messages", System.nanoTime());
        info.authenticatedAs(new ApiKey("kid", "alice", "rg_x", "salt", "hash", true, Instant.EPOCH, KeyRules.NONE));
        SkimmedRequest skim =
                new SkimmedRequest("claude-sonnet-4-5", true, null, null, null, null, false, null, "hi", 0);
        return new ProxyRequest(info, in, skim, new ClientIdentity(ClientKind.OTHER, "test", null, null));
    }

    private void send(ProxyRequest request) {
        client.writeInbound(request);
        client.runPendingTasks();
    }

    private static HttpResponse head(int status, String contentType) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    private static HttpContent content(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static LastHttpContent last(String text) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static void release(Object msg) {
        assertThat(msg).as("the upstream got a request").isInstanceOf(FullHttpRequest.class);
        ReferenceCountUtil.release(msg);
    }

    /** Everything the client got after the head, as text; releases it. */
    private String drainText() {
        StringBuilder sb = new StringBuilder();
        Object msg;
        while ((msg = client.readOutbound()) != null) {
            if (msg instanceof HttpContent) {
                ByteBuf b = ((HttpContent) msg).content();
                sb.append(b.toString(StandardCharsets.UTF_8));
            } else if (msg instanceof ByteBuf) {
                sb.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(msg);
        }
        return sb.toString();
    }

    private ExchangeOutcome onlyOutcome() {
        assertThat(outcomes).as("one exchange, one outcome").hasSize(1);
        return outcomes.get(0);
    }

    /** Hands out a fresh embedded channel per acquire and remembers what came back. */
    private static final class EmbeddedConnections implements UpstreamConnections {
        final List<EmbeddedChannel> handedOut = new ArrayList<>();
        final List<String> hosts = new ArrayList<>();
        final List<Channel> released = new ArrayList<>();

        @Override
        public Future<Lease> acquire(EventLoop loop, UpstreamTarget target) {
            EmbeddedChannel ch = new EmbeddedChannel();
            handedOut.add(ch);
            hosts.add(target.host());
            return ch.eventLoop().newSucceededFuture(new Lease(ch, false));
        }

        @Override
        public void release(Channel ch, UpstreamTarget target) {
            released.add(ch);
        }

        /** The connection handed out for {@code host}, which must be the newest. */
        EmbeddedChannel take(String host) {
            assertFalse(handedOut.isEmpty(), "no upstream connection was asked for");
            assertThat(hosts.get(hosts.size() - 1)).isEqualTo(host);
            return handedOut.get(handedOut.size() - 1);
        }
    }
}
