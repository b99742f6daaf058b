package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.SignInStore;
import io.relaygate.core.Secrets;
import io.relaygate.server.pipeline.ClientAddress;
import io.relaygate.server.pipeline.PublicOrigin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approving a device code by signing in with the team's OpenID Connect provider. The approval page's "Sign in with …"
 * opens {@code /device/sso?user_code=…}: the gateway keeps a state, a nonce and a PKCE verifier in the store (any
 * instance may get the callback), sets a cookie holding the state (so the callback must come back to this browser,
 * RFC 6749 §10.12) and redirects to the provider. The provider redirects to {@code /device/sso/callback}, where the
 * code is exchanged, the ID token verified ({@link OidcClient}), the person found or added ({@link SsoPeople}) and the
 * device code approved for them. Every outcome is a plain page without script.
 */
final class SingleSignOn {

    private final PublicOrigin origin;

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    static final String START = "/device/sso";
    static final String CALLBACK = "/device/sso/callback";
    static final String INFO = "/device/sso.json";

    private static final String COOKIE = "rg_sso";
    private static final Duration STATE_TTL = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the gateway keeps between the redirect to the provider and the callback. */
    record Pending(String userCode, String nonce, String verifier, String redirectUri) {}

    private final @Nullable SsoSettings settings;
    private final @Nullable OidcClient oidc;
    private final @Nullable SsoPeople people;
    private final SignInStore store;
    private final DeviceGrants grants;

    SingleSignOn(@Nullable SsoSettings settings, Store store, DeviceGrants grants, Clock clock, PublicOrigin origin) {
        this.origin = requireNonNull(origin, "origin");
        this.settings = settings;
        this.oidc = settings == null ? null : new OidcClient(settings);
        this.people = settings == null ? null : new SsoPeople(store, settings, clock);
        this.store = requireNonNull(store, "store").signIns();
        this.grants = requireNonNull(grants, "grants");
    }

    /** {@code GET /device/sso.json}: whether the page offers single sign-on, and the button's name. */
    void info(ChannelHandlerContext ctx) {
        ObjectNode body = SignInHttp.JSON.createObjectNode().put("enabled", settings != null);
        if (settings != null) {
            body.put("name", settings.displayName());
        }
        SignInHttp.json(ctx, 200, body);
    }

    /** {@code GET /device/sso?user_code=…}: to the provider. */
    void start(ChannelHandlerContext ctx, HttpRequest request) {
        if (settings == null || oidc == null) {
            page(ctx, 404, "Single sign-on is not set up on this gateway: use your sign-in link.");
            return;
        }
        SsoSettings s = settings;
        String userCode = param(request, "user_code");
        if (userCode.isEmpty()) {
            page(ctx, 400, "Enter the code Claude Code shows, then sign in.");
            return;
        }
        String state = random(32);
        String verifier = random(32);
        String nonce = random(16);
        String redirect = s.redirectUri() != null ? s.redirectUri() : origin.of(ctx, request) + CALLBACK;
        String pending = SignInHttp.JSON
                .valueToTree(new Pending(userCode, nonce, verifier, redirect))
                .toString();
        CompletionStage<String> location = store.put(SignInStore.Kind.SSO, digest(state), pending, STATE_TTL)
                .thenCompose(v -> oidc.provider())
                .thenApply(p ->
                        p.authorizationEndpoint() + (p.authorizationEndpoint().contains("?") ? "&" : "?")
                                + "response_type=code&client_id=" + OidcClient.enc(s.clientId())
                                + "&redirect_uri=" + OidcClient.enc(redirect)
                                + "&scope=" + OidcClient.enc(s.scopes())
                                + "&state=" + state + "&nonce=" + nonce
                                + "&code_challenge=" + challenge(verifier) + "&code_challenge_method=S256");
        location.whenComplete((url, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                securityLog.warn("sign-in: single sign-on unavailable: {}", Secrets.redact(String.valueOf(error)));
                page(ctx, 503, "The identity provider cannot be reached: try again, or use your sign-in link.");
                return;
            }
            boolean tls = origin.secure(ctx, request);
            SignInHttp.send(
                    ctx,
                    302,
                    "text/plain; charset=utf-8",
                    new byte[0],
                    Map.of(
                            "location",
                            url,
                            "set-cookie",
                            COOKIE + "=" + state + "; Path=" + START + "; Max-Age=" + STATE_TTL.toSeconds()
                                    + "; HttpOnly; SameSite=Lax" + (tls ? "; Secure" : "")));
        }));
    }

    /** {@code GET /device/sso/callback?code=…&state=…}: the provider's answer. */
    void callback(ChannelHandlerContext ctx, HttpRequest request) {
        if (settings == null || oidc == null || people == null) {
            page(ctx, 404, "Single sign-on is not set up on this gateway: use your sign-in link.");
            return;
        }
        OidcClient client = oidc;
        SsoPeople who = people;
        String address = ClientAddress.of(ctx.channel());
        String agent = SignInHttp.userAgent(request);
        String state = param(request, "state");
        String error = param(request, "error");
        if (!error.isEmpty()) {
            // RFC 6749 §4.1.2.1: the provider refused (the person cancelled, or is not assigned to the app)
            securityLog.info("sign-in: identity provider answered {} to {}", error.replaceAll("[^a-z_]", ""), address);
            page(ctx, 403, "The identity provider did not sign you in (" + error + "). Run /login again.");
            return;
        }
        if (state.isEmpty() || !state.equals(cookie(request))) {
            page(
                    ctx,
                    400,
                    "This sign-in was not started in this browser, or it ran out: start again from the page"
                            + " Claude Code opened.");
            return;
        }
        String code = param(request, "code");
        CompletionStage<Outcome> outcome = store.take(SignInStore.Kind.SSO, digest(state))
                .thenCompose(raw -> {
                    if (raw.isEmpty()) {
                        return done(400, "This sign-in ran out or was already used: start again.");
                    }
                    Pending p = read(raw.get());
                    return client.exchange(code, p.verifier(), p.redirectUri(), p.nonce())
                            .thenCompose(claims -> who.signIn(claims))
                            .thenCompose(decision -> {
                                if (decision.person() == null) {
                                    return done(403, decision.refusal());
                                }
                                String name = decision.person().name();
                                return grants.answer(
                                                p.userCode(), decision.person().id(), true)
                                        .thenApply(result -> switch (result) {
                                            case APPROVED ->
                                                new Outcome(200, "Signed in as " + name + ". Return to Claude Code.");
                                            case DENIED -> new Outcome(200, "The sign-in was refused.");
                                            case EXPIRED -> new Outcome(400, "The code ran out: run /login again.");
                                            case ALREADY_ANSWERED ->
                                                new Outcome(400, "This code was already answered.");
                                            case UNKNOWN_CODE ->
                                                new Outcome(400, "Unknown code: check the code Claude Code shows.");
                                        });
                            });
                });
        outcome.whenComplete((o, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                securityLog.warn(
                        "sign-in: single sign-on failed from {} ({}): {}",
                        address,
                        agent,
                        Secrets.redact(String.valueOf(failure)));
                page(
                        ctx,
                        502,
                        "The identity provider's answer could not be verified: try again, or ask your" + " operator.");
                return;
            }
            securityLog.info("sign-in: single sign-on from {} ({}): {}", address, agent, o.message());
            page(ctx, o.status(), o.message());
        }));
    }

    private record Outcome(int status, String message) {}

    private static CompletionStage<Outcome> done(int status, String message) {
        return CompletableFuture.completedFuture(new Outcome(status, message));
    }

    private static Pending read(String raw) {
        try {
            return SignInHttp.JSON.readValue(raw, Pending.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored sign-in does not parse", e);
        }
    }

    /** The outcome page: the message, escaped, under the approval page's style; no script. */
    private static void page(ChannelHandlerContext ctx, int status, String message) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to Relaygate"
                + "</title><link rel=\"stylesheet\" href=\"" + ApprovalPage.STYLE + "\"></head><body><main>"
                + "<h1>Sign in to Relaygate</h1><p id=\"result\" class=\"" + (status == 200 ? "ok" : "error")
                + "\">" + escape(message) + "</p></main></body></html>";
        SignInHttp.send(
                ctx,
                status,
                "text/html; charset=utf-8",
                html.getBytes(StandardCharsets.UTF_8),
                Map.of("set-cookie", COOKIE + "=; Path=" + START + "; Max-Age=0; HttpOnly; SameSite=Lax"));
    }

    private static String param(HttpRequest request, String name) {
        List<String> values = new QueryStringDecoder(request.uri()).parameters().get(name);
        return values == null || values.isEmpty() ? "" : values.get(0).trim();
    }

    private static @Nullable String cookie(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        Optional<Cookie> found = ServerCookieDecoder.STRICT.decode(header).stream()
                .filter(c -> COOKIE.equals(c.name()))
                .findFirst();
        return found.map(Cookie::value).orElse(null);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
    }

    private static String digest(String state) {
        return HexFormat.of().formatHex(sha256(state));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
