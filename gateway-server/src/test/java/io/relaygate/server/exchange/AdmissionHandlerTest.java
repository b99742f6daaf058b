package io.relaygate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.accounts.AccountSelector;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.Store;
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
import io.relaygate.server.pipeline.ProxyRequest;
import io.relaygate.server.pipeline.RequestInfo;
import io.relaygate.server.upstream.OAuthRefresher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADMIT on an embedded channel, with the real scheduler on the embedded store and RELAY replaced by a collector. */
class AdmissionHandlerTest {

    @TempDir
    Path dir;

    private Store store;
    private Scheduler scheduler;
    private final List<ExchangeOutcome> outcomes = new ArrayList<>();
    private final List<Exchange> relayed = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dir, null, "t:"), Map.of());
        scheduler = new Scheduler(
                new AccountSelector(new SameThreadAccounts(store.accounts())),
                store.state(),
                SchedulingConfig.defaults());
        store.accounts()
                .create(new Account(
                        "id-main",
                        "main",
                        AccountKind.ANTHROPIC_API,
                        "http://main.test",
                        "sk-ant-main",
                        null,
                        50,
                        true,
                        null,
                        List.of(),
                        Map.of(),
                        Instant.EPOCH,
                        null,
                        Map.of()))
                .toCompletableFuture()
                .join();
        channel = new EmbeddedChannel(
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
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        relayed.add((Exchange) msg);
                    }
                });
    }

    @AfterEach
    void tearDown() {
        for (Exchange ex : relayed) {
            ex.finish(ExchangeOutcome.End.COMPLETED, true);
        }
        channel.finishAndReleaseAll();
        store.close();
    }

    @Test
    void anAdmittedRequestGoesOnAsAnExchangeWithItsAccounts() {
        channel.writeInbound(request(key(KeyRules.NONE)));

        assertThat(relayed).hasSize(1);
        assertThat(relayed.get(0).attempts().current().name()).isEqualTo("main");
        assertThat(outcomes).as("the outcome waits for the end of the exchange").isEmpty();
        relayed.remove(0).finish(ExchangeOutcome.End.COMPLETED, true);
        assertThat(outcomes).hasSize(1);
        assertThat(outcomes.get(0).account()).isEqualTo("main");
    }

    @Test
    void aRefusedRequestIsAnsweredHereInTheClientsFormatAndRecorded() {
        ApiKey key = key(rules(null, 1L));
        channel.writeInbound(request(key));
        relayed.remove(0).finish(ExchangeOutcome.End.COMPLETED, true);

        channel.writeInbound(request(key));

        assertThat(relayed).as("nothing reaches RELAY").isEmpty();
        FullHttpResponse refusal = channel.readOutbound();
        try {
            assertThat(refusal.status().code()).isEqualTo(429);
            assertThat(refusal.headers().get("retry-after"))
                    .as("when to come back")
                    .isNotNull();
            assertThat(refusal.content().toString(StandardCharsets.UTF_8))
                    .as("Anthropic's error shape")
                    .contains("\"type\":\"error\"")
                    .contains("\"rate_limit_error\"");
        } finally {
            refusal.release();
        }
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get(1).error()).isEqualTo("rate_limit");
        assertThat(outcomes.get(1).attempts()).as("no account was tried").isZero();
    }

    @Test
    void aPipelinedRequestWaitsForTheCurrentExchangeAndItsLeaseComesBack() {
        ApiKey key = key(rules(1, null));
        channel.writeInbound(request(key));
        channel.writeInbound(request(key));
        assertThat(relayed).as("the second request waits").hasSize(1);

        relayed.remove(0).finish(ExchangeOutcome.End.COMPLETED, true);

        assertThat(relayed)
                .as("admitted once the first ended, within the key's concurrency of 1: the lease was given back")
                .hasSize(1);
        assertThat((Object) channel.readOutbound()).as("no refusal").isNull();
    }

    @Test
    void aThirdPipelinedRequestClosesTheConnection() {
        ApiKey key = key(KeyRules.NONE);
        channel.writeInbound(request(key));
        channel.writeInbound(request(key));
        channel.writeInbound(request(key));

        assertThat(channel.isOpen()).isFalse();
        assertThat(relayed).hasSize(1);
    }

    private static KeyRules rules(Integer concurrency, Long requestsPerMinute) {
        return new KeyRules(
                concurrency,
                requestsPerMinute,
                requestsPerMinute == null ? null : Duration.ofMinutes(1),
                null,
                null,
                null,
                null,
                null,
                List.of(),
                List.of(),
                Set.of(),
                null,
                null,
                null);
    }

    private static ApiKey key(KeyRules rules) {
        return new ApiKey("kid" + System.nanoTime(), "alice", "rg_x", "salt", "hash", true, Instant.EPOCH, rules);
    }

    private static ProxyRequest request(ApiKey key) {
        FullHttpRequest in = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/v1/messages",
                Unpooled.copiedBuffer("{\"model\":\"claude-sonnet-4-5\"}", StandardCharsets.UTF_8));
        RequestInfo info = new RequestInfo(Route.MESSAGES, "/v1/messages", System.nanoTime());
        info.authenticatedAs(key);
        SkimmedRequest skim =
                new SkimmedRequest("claude-sonnet-4-5", false, null, null, null, null, false, null, "hi", 0);
        return new ProxyRequest(info, in, skim, new ClientIdentity(ClientKind.OTHER, "test", null, null));
    }
}
