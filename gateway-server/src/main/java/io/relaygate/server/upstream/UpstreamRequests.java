package io.relaygate.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.codec.client.ClaudeCodeAdaptation;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.Route;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.server.pipeline.ProxyRequest;
import io.relaygate.server.pipeline.RouteResolver;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds the request an upstream account receives: the client's method, path (without the gateway's prefixes) and
 * query, its headers minus hop-by-hop and credential headers, the account's own credentials, and the body bytes as
 * they came (never re-serialized). Cloud platforms' requests ({@code bedrock}, {@code vertex}) are built by
 * {@link CloudRequests}.
 */
public final class UpstreamRequests {

    /** Anthropic's API version when a client sends none (the SDKs always do). */
    static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

    /** Required beta flag for Claude OAuth access tokens on the Messages API. */
    public static final String OAUTH_BETA = "oauth-2025-04-20";

    /** The ChatGPT workspace an access token acts for; the Codex backend wants it with every request. */
    static final String CHATGPT_ACCOUNT_ID = "chatgpt-account-id";

    /** What Codex CLI calls itself on the ChatGPT backend; sent when another client uses a Codex account. */
    public static final String CODEX_ORIGINATOR = "codex_cli_rs";

    /**
     * Headers never forwarded: hop-by-hop (RFC 9110 section 7.6.1), the client's gateway credentials, and encodings
     * (the gateway asks for identity so it can read usage from the stream).
     */
    private static final Set<String> DROPPED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authorization",
            "proxy-authenticate",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            "content-length",
            "expect",
            "x-api-key",
            "authorization",
            "api-key",
            "accept-encoding",
            "cookie",
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
            "x-real-ip");

    /** Claude Code's headers per subscription account, for other clients' requests on it (one per process). */
    static final ClaudeCodeHeaders CLAUDE_CODE_HEADERS = new ClaudeCodeHeaders();

    private static final ObjectMapper JSON = new ObjectMapper();

    private UpstreamRequests() {}

    /**
     * The request one attempt sends to {@code account}: converted when {@code conversion} is set; else the client's
     * own, with Claude Code's identity block put first on a Claude subscription account that serves another client
     * (the rule is {@link ClaudeCodeAdaptation#needed}); else the client's body untouched.
     */
    public static FullHttpRequest forAttempt(
            ProxyRequest proxy,
            Account account,
            UpstreamTarget target,
            @Nullable Conversion conversion,
            Catalogue catalogue) {
        if (account.kind().cloud()) {
            // Bedrock and Vertex take Anthropic bodies of their own shape: the client's, or the converted one.
            ByteBuf body = conversion != null
                    ? conversion.body()
                    : proxy.request.content().retainedDuplicate();
            try {
                return CloudRequests.build(
                        account, target, body, proxy.request.headers(), catalogue, Clock.systemUTC());
            } finally {
                body.release();
            }
        }
        if (conversion != null) {
            return buildConverted(proxy, account, target, conversion.pathAndQuery(), conversion.body());
        }
        if (proxy.info.route == Route.MESSAGES && ClaudeCodeAdaptation.needed(account.kind(), proxy.client.kind())) {
            return buildAdapted(proxy, account, target, withClaudeCodePrompt(proxy));
        }
        return build(proxy, account, target);
    }

    /** The client's Messages body with Claude Code's identity block first in its system prompt. */
    private static ByteBuf withClaudeCodePrompt(ProxyRequest proxy) {
        ByteBuf content = proxy.request.content();
        try (InputStream in = new ByteBufInputStream(content.duplicate())) {
            JsonNode body = JSON.readTree(in);
            if (!(body instanceof ObjectNode)) {
                return content.retainedDuplicate();
            }
            ClaudeCodeAdaptation.prependSystemPrompt((ObjectNode) body);
            return Unpooled.wrappedBuffer(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            // SKIM already parsed this body; forward it unchanged if it cannot be read as a tree.
            return content.retainedDuplicate();
        }
    }

    /**
     * A request for {@code account}. The body is a retained duplicate of the client's: the caller keeps its own
     * reference (for failover) and the returned request owns one.
     */
    public static FullHttpRequest build(ProxyRequest proxy, Account account, UpstreamTarget target) {
        Route route = proxy.info.route;
        String path = route == Route.RESPONSES ? Conversion.responsesPath(account) : RouteResolver.upstreamPath(route);
        String uri = target.basePath() + path + proxy.info.query();
        return build(proxy, account, target, uri, proxy.request.content().retainedDuplicate(), false);
    }

    /**
     * The client's request with a rewritten body in the same format (an adaptation such as
     * {@link io.relaygate.codec.client.ClaudeCodeAdaptation}); ownership of {@code body} moves to the returned request.
     */
    public static FullHttpRequest buildAdapted(
            ProxyRequest proxy, Account account, UpstreamTarget target, ByteBuf body) {
        String uri = target.basePath() + RouteResolver.upstreamPath(proxy.info.route) + proxy.info.query();
        return build(proxy, account, target, uri, body, false);
    }

    /**
     * A request whose body was converted to another format: the given path and body (ownership moves to the returned
     * request), and none of the client format's own headers ({@code anthropic-*}).
     */
    public static FullHttpRequest buildConverted(
            ProxyRequest proxy, Account account, UpstreamTarget target, String pathAndQuery, ByteBuf body) {
        return build(proxy, account, target, target.basePath() + pathAndQuery, body, true);
    }

    private static FullHttpRequest build(
            ProxyRequest proxy, Account account, UpstreamTarget target, String uri, ByteBuf body, boolean converted) {
        FullHttpRequest in = proxy.request;
        HttpMethod method = in.method();
        FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, body);
        HttpHeaders h = out.headers();
        for (Map.Entry<String, String> e : in.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!DROPPED.contains(name) && !(converted && name.startsWith("anthropic-"))) {
                h.add(e.getKey(), e.getValue());
            }
        }
        if (converted) {
            h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        h.set(HttpHeaderNames.HOST, target.hostHeader());
        h.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        if (method.equals(HttpMethod.POST) || out.content().isReadable()) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, out.content().readableBytes());
        }
        applyCredentials(h, account, proxy.signatures);
        if (account.kind() == AccountKind.CLAUDE_OAUTH) {
            if (proxy.client.kind() == ClientKind.CLAUDE_CODE) {
                CLAUDE_CODE_HEADERS.remember(account.id(), in.headers(), proxy.signatures.claudeCode());
            } else {
                CLAUDE_CODE_HEADERS.apply(account.id(), h, proxy.signatures.claudeCode());
            }
        }
        return out;
    }

    /**
     * The headers with which {@code account} authenticates (its credential, version and identity headers), for a
     * request the gateway makes on its own: the console's connection test.
     */
    public static HttpHeaders credentialHeaders(Account account, ClientSignatures signatures) {
        HttpHeaders h = new io.netty.handler.codec.http.DefaultHttpHeaders();
        applyCredentials(h, account, signatures);
        return h;
    }

    private static void applyCredentials(HttpHeaders h, Account account, ClientSignatures signatures) {
        // The operator's extra headers replace the client's of the same name; the credentials' own headers are
        // refused as extra headers (AccountHeaders), so they are always the account's.
        account.headers().forEach(h::set);
        String credential = account.credential();
        switch (account.kind()) {
            case ANTHROPIC_API:
                if (credential != null) {
                    h.set("x-api-key", credential);
                }
                if (!h.contains("anthropic-version")) {
                    h.set("anthropic-version", DEFAULT_ANTHROPIC_VERSION);
                }
                break;
            case CLAUDE_OAUTH:
                if (credential != null) {
                    h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + OAuthTokens.accessToken(credential));
                }
                if (!h.contains("anthropic-version")) {
                    h.set("anthropic-version", DEFAULT_ANTHROPIC_VERSION);
                }
                String beta = h.get("anthropic-beta");
                if (beta == null || beta.isBlank()) {
                    h.set("anthropic-beta", OAUTH_BETA);
                } else if (!beta.contains(OAUTH_BETA)) {
                    h.set("anthropic-beta", OAUTH_BETA + "," + beta);
                }
                break;
            case AZURE_OPENAI:
                if (credential != null) {
                    h.set("api-key", credential);
                }
                break;
            case CODEX_OAUTH:
                if (credential != null) {
                    OAuthTokens tokens = OAuthTokens.parse(credential);
                    h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + tokens.accessToken());
                    String accountId = tokens.accountId() != null
                            ? tokens.accountId()
                            : ChatGptTokens.accountId(tokens.accessToken());
                    if (accountId != null) {
                        h.set(CHATGPT_ACCOUNT_ID, accountId);
                    }
                }
                // another client on a Codex account says it is Codex, with the signatures' headers
                for (Map.Entry<String, String> e :
                        signatures.codex().subscriptionHeaders().entrySet()) {
                    if (!h.contains(e.getKey())) {
                        h.set(e.getKey(), e.getValue());
                    }
                }
                if (!h.contains("originator")) {
                    h.set("originator", CODEX_ORIGINATOR);
                }
                break;
            default:
                if (credential != null) {
                    h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + credential);
                }
                break;
        }
    }
}
