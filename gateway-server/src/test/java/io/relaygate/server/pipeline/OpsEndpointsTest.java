package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class OpsEndpointsTest {

    private static EmbeddedChannel channel(OpsEndpoints ops) {
        return new EmbeddedChannel(new RouteHandler(1024, null, new LongAdder(), ops));
    }

    private static HttpRequest get(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().set(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static String answer(EmbeddedChannel ch, int status) {
        FullHttpResponse r = ch.readOutbound();
        assertThat(r).as("an answer was written").isNotNull();
        try {
            assertThat(r.status().code()).isEqualTo(status);
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    @Test
    void readyzFollowsTheReadinessChecksAndHealthzDoesNot() {
        AtomicReference<String> reason = new AtomicReference<>();
        EmbeddedChannel ch = channel(new OpsEndpoints(new Readiness().add(reason::get), null, null));

        ch.writeInbound(get("/readyz"));
        assertThat(answer(ch, 200)).isEqualTo("{\"status\":\"ok\"}");

        reason.set("draining");
        ch.writeInbound(get("/readyz"));
        assertThat(answer(ch, 503)).contains("\"reason\":\"draining\"");
        ch.writeInbound(get("/healthz"));
        assertThat(answer(ch, 200)).as("liveness only").isEqualTo("{\"status\":\"ok\"}");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void metricsAreAnsweredWhenTheScrapeCompletesAndReadsPauseMeanwhile() {
        CompletableFuture<String> scrape = new CompletableFuture<>();
        EmbeddedChannel ch = channel(new OpsEndpoints(new Readiness(), () -> scrape, null));

        ch.writeInbound(get("/metrics"));
        assertThat((Object) ch.readOutbound())
                .as("nothing before the scrape completes")
                .isNull();
        assertThat(ch.config().isAutoRead())
                .as("no next request is read meanwhile")
                .isFalse();

        scrape.complete("relaygate_requests_active 0.0\n");
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        try {
            assertThat(r.status().code()).isEqualTo(200);
            assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(OpsEndpoints.PROMETHEUS_TEXT);
            assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("relaygate_requests_active 0.0\n");
        } finally {
            r.release();
        }
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void metricsWithATokenRefuseScrapesWithoutIt() {
        EmbeddedChannel ch = channel(new OpsEndpoints(
                new Readiness(), () -> CompletableFuture.completedFuture("x 1.0\n"), "admin-token-for-metrics"));

        ch.writeInbound(get("/metrics"));
        assertThat(answer(ch, 401)).contains("admin token").doesNotContain("admin-token-for-metrics");
        ch.writeInbound(get("/metrics", "authorization", "Bearer wrong"));
        answer(ch, 401);
        ch.writeInbound(get("/metrics", "authorization", "Bearer admin-token-for-metrics"));
        ch.runPendingTasks();
        assertThat(answer(ch, 200)).isEqualTo("x 1.0\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void metricsOffIsAnUnknownRoute() {
        EmbeddedChannel ch = channel(OpsEndpoints.healthOnly());
        ch.writeInbound(get("/metrics"));
        assertThat(answer(ch, 404)).contains("/metrics");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
