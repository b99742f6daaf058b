package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.server.pipeline.AdminRoutes;
import io.relaygate.server.pipeline.PublicOrigin;
import java.util.Map;
import java.util.Set;

/**
 * The sign-in paths ROUTE hands over: the OAuth endpoints and the approval page. Unauthenticated by design (the
 * device grant's endpoints take no client credentials), so each checks what it is sent.
 */
public final class SignInRoutes implements AdminRoutes {

    /**
     * Where a signed-in Claude Code sends its OpenTelemetry export (OTLP/HTTP); the protocol asks for a 200 whether
     * it is kept or not (a 404 makes the exporter log an error on every flush). Relaygate does not keep it.
     */
    private static final Set<String> TELEMETRY = Set.of("/v1/metrics", "/v1/logs", "/v1/traces");

    private static final Set<String> POSTS = Set.of(
            OAuthEndpoints.DEVICE_AUTHORIZATION,
            OAuthEndpoints.TOKEN,
            OAuthEndpoints.REVOKE,
            ApprovalPage.APPROVE,
            "/v1/metrics",
            "/v1/logs",
            "/v1/traces");
    private static final Set<String> GETS = Set.of(
            OAuthEndpoints.DISCOVERY,
            ApprovalPage.PAGE,
            ApprovalPage.SCRIPT,
            ApprovalPage.STYLE,
            SingleSignOn.START,
            SingleSignOn.CALLBACK,
            SingleSignOn.INFO,
            ManagedSettingsEndpoint.PATH);

    private final OAuthEndpoints oauth;
    private final ApprovalPage page;
    private final ManagedSettingsEndpoint settings;
    private final SingleSignOn sso;

    /**
     * With single sign-on through {@code sso} (null: only one-time links approve a device); the URLs handed out start
     * with {@code origin}'s.
     */
    public SignInRoutes(
            Store store,
            SignInTokens tokens,
            DeviceGrants grants,
            @org.jspecify.annotations.Nullable SsoSettings sso,
            java.time.Clock clock,
            PublicOrigin origin) {
        requireNonNull(store, "store");
        this.sso = new SingleSignOn(sso, store, grants, clock, origin);
        this.oauth = new OAuthEndpoints(store.people(), tokens, grants, origin);
        this.page = new ApprovalPage(store.people(), grants, store.admin());
        this.settings = new ManagedSettingsEndpoint(store.people(), tokens, store.documents());
    }

    @Override
    public boolean matches(String path) {
        return POSTS.contains(path) || GETS.contains(path);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body) {
        boolean post = HttpMethod.POST.equals(request.method());
        boolean get = HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method());
        if (POSTS.contains(path) && !post || GETS.contains(path) && !get) {
            SignInHttp.send(
                    ctx,
                    405,
                    "application/json",
                    ("{\"error\":\"invalid_request\",\"error_description\":\"" + request.method() + " " + path
                                    + " is not allowed\"}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Map.of("allow", POSTS.contains(path) ? "POST" : "GET"));
            return;
        }
        if (TELEMETRY.contains(path)) {
            SignInHttp.send(
                    ctx, 200, "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
            return;
        }
        switch (path) {
            case OAuthEndpoints.DISCOVERY -> oauth.discovery(ctx, request);
            case OAuthEndpoints.DEVICE_AUTHORIZATION -> oauth.deviceAuthorization(ctx, request, body);
            case OAuthEndpoints.TOKEN -> oauth.token(ctx, request, body);
            case OAuthEndpoints.REVOKE -> oauth.revoke(ctx, request, body);
            case ApprovalPage.APPROVE -> page.approve(ctx, request, body);
            case ManagedSettingsEndpoint.PATH -> settings.handle(ctx, request);
            case SingleSignOn.INFO -> sso.info(ctx);
            case SingleSignOn.START -> sso.start(ctx, request);
            case SingleSignOn.CALLBACK -> sso.callback(ctx, request);
            default -> page.file(ctx, path);
        }
    }
}
