package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.codec.client.ClientIdentity;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Route;
import io.relaygate.server.pipeline.ProxyRequest;
import io.relaygate.server.pipeline.RequestInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamRequestsTest {

    private static Account account(AccountKind kind, String baseUrl) {
        return new Account(
                "a1",
                "acct",
                kind,
                baseUrl,
                "upstream-secret",
                null,
                50,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.EPOCH,
                null,
                Map.of());
    }

    private static ProxyRequest proxy(String uri) {
        FullHttpRequest in = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                uri,
                Unpooled.copiedBuffer("{\"model\":\"m\"}", StandardCharsets.UTF_8));
        in.headers()
                .set("x-api-key", "rg_client_key")
                .set("authorization", "Bearer rg_client_key")
                .set("anthropic-beta", "a,b")
                .set("connection", "keep-alive")
                .set("accept-encoding", "gzip, br")
                .set("host", "gateway:3000")
                .set("x-claude-code-session-id", "s1");
        SkimmedRequest skim = new SkimmedRequest("m", false, null, null, null, null, false, null, null);
        return new ProxyRequest(
                new RequestInfo(Route.MESSAGES, uri, 0),
                in,
                skim,
                new ClientIdentity(ClientKind.OTHER, "test", null, null));
    }

    @Test
    void anthropicAccountGetsItsKeyAndTheCanonicalPathUnderItsBasePath() {
        ProxyRequest p = proxy("/api/v1/messages?beta=true");
        Account a = account(AccountKind.ANTHROPIC_API, "https://api.example.com/anthropic/v1/");
        FullHttpRequest out = UpstreamRequests.build(p, a, UpstreamTarget.of(a));
        try {
            assertThat(out.uri()).isEqualTo("/anthropic/v1/messages?beta=true");
            assertThat(out.headers().get("x-api-key")).isEqualTo("upstream-secret");
            assertThat(out.headers().get("authorization")).isNull();
            assertThat(out.headers().get("host")).isEqualTo("api.example.com");
            assertThat(out.headers().get("connection")).isNull();
            assertThat(out.headers().get("accept-encoding")).isEqualTo("identity");
            assertThat(out.headers().get("anthropic-beta")).isEqualTo("a,b");
            assertThat(out.headers().get("anthropic-version")).isEqualTo("2023-06-01");
            assertThat(out.headers().get("x-claude-code-session-id")).isEqualTo("s1");
            assertThat(out.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"m\"}");
            assertThat(out.headers().getInt("content-length")).isEqualTo(13);
        } finally {
            out.release();
            p.release();
        }
        assertThat(p.request.refCnt()).as("both references released").isZero();
    }

    @Test
    void oauthAccountGetsBearerAndTheOauthBeta() {
        ProxyRequest p = proxy("/v1/messages");
        Account a = account(AccountKind.CLAUDE_OAUTH, "http://127.0.0.1:9999");
        FullHttpRequest out = UpstreamRequests.build(p, a, UpstreamTarget.of(a));
        try {
            assertThat(out.headers().get("authorization")).isEqualTo("Bearer upstream-secret");
            assertThat(out.headers().get("x-api-key")).isNull();
            // not Claude Code: Claude Code's beta flag joins the OAuth one (see ClaudeCodeHeaders)
            assertThat(out.headers().get("anthropic-beta")).isEqualTo("claude-code-20250219,oauth-2025-04-20,a,b");
            assertThat(out.headers().get("user-agent")).startsWith("claude-cli/");
            assertThat(out.headers().get("host")).isEqualTo("127.0.0.1:9999");
        } finally {
            out.release();
            p.release();
        }
    }
}
