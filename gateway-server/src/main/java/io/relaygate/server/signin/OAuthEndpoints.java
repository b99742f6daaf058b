package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.PeopleStore;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInSession;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.core.Secrets;
import io.relaygate.server.pipeline.ClientAddress;
import io.relaygate.server.pipeline.PublicOrigin;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OAuth side of Claude Code's gateway sign-in: the discovery document (RFC 8414), the device authorization
 * endpoint (RFC 8628 §3.1-3.2), the token endpoint for the device code and refresh token grants (§3.4-3.5, RFC 6749
 * §6) and revocation (RFC 7009). None needs client authentication: Claude Code sends no {@code client_id}, and
 * unknown parameters are ignored (RFC 6749 §3.1), as the protocol asks. Every answer is direct, never a redirect.
 */
final class OAuthEndpoints {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    static final String DISCOVERY = "/.well-known/oauth-authorization-server";
    static final String DEVICE_AUTHORIZATION = "/oauth/device_authorization";
    static final String TOKEN = "/oauth/token";
    static final String REVOKE = "/oauth/revoke";
    static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

    private final PeopleStore people;
    private final SignInTokens tokens;
    private final DeviceGrants grants;
    private final PublicOrigin origin;

    OAuthEndpoints(PeopleStore people, SignInTokens tokens, DeviceGrants grants, PublicOrigin origin) {
        this.origin = requireNonNull(origin, "origin");
        this.people = requireNonNull(people, "people");
        this.tokens = requireNonNull(tokens, "tokens");
        this.grants = requireNonNull(grants, "grants");
    }

    void discovery(ChannelHandlerContext ctx, HttpRequest request) {
        String origin = this.origin.of(ctx, request);
        ObjectNode doc = SignInHttp.JSON
                .createObjectNode()
                .put("issuer", origin)
                .put("device_authorization_endpoint", origin + DEVICE_AUTHORIZATION)
                .put("token_endpoint", origin + TOKEN)
                .put("revocation_endpoint", origin + REVOKE);
        doc.putArray("grant_types_supported").add(DEVICE_GRANT).add("refresh_token");
        doc.putArray("token_endpoint_auth_methods_supported").add("none");
        doc.putArray("response_types_supported");
        // the fields of Anthropic's own gateway's document (testdata/clients/gateway): no scope is checked here
        doc.putArray("scopes_supported");
        doc.put("gateway_protocol_version", 1);
        SignInHttp.json(ctx, 200, doc);
    }

    void deviceAuthorization(ChannelHandlerContext ctx, HttpRequest request, ByteBuf body) {
        Map<String, String> form = SignInHttp.form(body);
        // the client's word, kept to a short token so it cannot forge a log line
        String surface = form.getOrDefault("surface", "").replaceAll("[^A-Za-z0-9_.-]", "?");
        surface = surface.length() > 40 ? surface.substring(0, 40) : surface;
        String client = SignInHttp.userAgent(request) + (surface.isEmpty() ? "" : " surface=" + surface);
        String origin = this.origin.of(ctx, request);
        String address = ClientAddress.of(ctx.channel());
        onLoop(ctx, grants.start(client), started -> {
            securityLog.info("sign-in: device code requested from {} with \"{}\"", address, client);
            ObjectNode answer = SignInHttp.JSON
                    .createObjectNode()
                    .put("device_code", started.deviceCode())
                    .put("user_code", started.userCode())
                    .put("verification_uri", origin + ApprovalPage.PAGE)
                    .put("verification_uri_complete", origin + ApprovalPage.PAGE + "?user_code=" + started.userCode())
                    .put("expires_in", started.expiresIn().toSeconds())
                    .put("interval", started.intervalSeconds())
                    .put("login_notice", "Approve this code with the sign-in link your Relaygate operator gave you.");
            SignInHttp.json(ctx, 200, answer);
        });
    }

    void token(ChannelHandlerContext ctx, HttpRequest request, ByteBuf body) {
        Map<String, String> form = SignInHttp.form(body);
        String grant = form.getOrDefault("grant_type", "");
        String address = ClientAddress.of(ctx.channel());
        String agent = SignInHttp.userAgent(request);
        if (DEVICE_GRANT.equals(grant)) {
            String deviceCode = form.get("device_code");
            if (deviceCode == null || deviceCode.isEmpty()) {
                SignInHttp.oauthError(ctx, 400, "invalid_request", "device_code is missing");
                return;
            }
            onLoop(ctx, deviceToken(deviceCode, address, agent), answer -> answer.send(ctx));
        } else if ("refresh_token".equals(grant)) {
            String refresh = form.get("refresh_token");
            if (refresh == null || refresh.isEmpty()) {
                SignInHttp.oauthError(ctx, 400, "invalid_request", "refresh_token is missing");
                return;
            }
            onLoop(ctx, tokens.refresh(refresh), issued -> {
                if (issued.isEmpty()) {
                    securityLog.info(
                            "sign-in: refused a refresh from {} with \"{}\" (unknown, used or ended session)",
                            address,
                            agent);
                    // the protocol's deprovisioning hook: 401 invalid_grant sends the client back to /login
                    SignInHttp.oauthError(ctx, 401, "invalid_grant", "the sign-in ended: run /login again");
                    return;
                }
                SignInHttp.json(ctx, 200, tokenAnswer(issued.get(), null));
                SignInSession s = issued.get().session();
                withName(
                        s.personId(),
                        name -> securityLog.info(
                                "sign-in: {} refreshed (session {}, rotation {}) from {} with \"{}\"",
                                name,
                                s.id(),
                                s.generation(),
                                address,
                                agent));
            });
        } else {
            SignInHttp.oauthError(
                    ctx,
                    400,
                    "unsupported_grant_type",
                    "grant_type: " + Secrets.redact(grant) + " (expected: " + DEVICE_GRANT + " or refresh_token)");
        }
    }

    /** One answer of the token endpoint. */
    private interface Answer {
        void send(ChannelHandlerContext ctx);
    }

    private CompletionStage<Answer> deviceToken(String deviceCode, String address, String agent) {
        return grants.poll(deviceCode).thenCompose(poll -> {
            switch (poll.outcome()) {
                case PENDING:
                    return answer(400, "authorization_pending", "waiting for approval in the browser");
                case SLOW_DOWN:
                    return answer(400, "slow_down", "polling faster than the interval");
                case EXPIRED:
                    refused(address, agent, "expired_token");
                    return answer(400, "expired_token", "the code was not approved in time: sign in again");
                case DENIED:
                    refused(address, agent, "access_denied");
                    return answer(400, "access_denied", "the sign-in was refused");
                case INVALID:
                    // Anthropic's own gateway answers an unknown device code expired_token (testdata/clients/gateway),
                    // one of the answers on which the protocol tells the client to stop polling
                    refused(address, agent, "expired_token");
                    return answer(400, "expired_token", "unknown, expired or already used device_code: sign in again");
                case APPROVED:
                default:
                    String personId = requireNonNull(poll.personId(), "personId");
                    String client = poll.client() == null ? "unknown" : poll.client();
                    return people.findById(personId).thenCompose(found -> issueFor(found, personId, client, address));
            }
        });
    }

    private static void refused(String address, String agent, String why) {
        securityLog.info("sign-in: refused tokens from {} with \"{}\": {}", address, agent, why);
    }

    /** Runs {@code line} with the name of person {@code personId} (their id when they cannot be read). */
    private void withName(String personId, java.util.function.Consumer<String> line) {
        people.findById(personId)
                .whenComplete((p, e) ->
                        line.accept(p != null && p.isPresent() ? p.get().name() : "person " + personId));
    }

    private CompletionStage<Answer> issueFor(Optional<Person> found, String personId, String client, String address) {
        if (found.isEmpty() || !found.get().enabled()) {
            securityLog.info(
                    "sign-in: refused tokens to {} (disabled or removed) from {} with \"{}\"",
                    found.map(Person::name).orElse("person " + personId),
                    address,
                    client);
            return answer(400, "access_denied", "this person cannot sign in: ask your Relaygate operator");
        }
        Person person = found.get();
        return tokens.issue(person, client, address).thenApply(issued -> {
            securityLog.info(
                    "sign-in: {} signed in (session {}) from {} with \"{}\"",
                    person.name(),
                    issued.session().id(),
                    address,
                    client);
            return c -> SignInHttp.json(c, 200, tokenAnswer(issued, person.email()));
        });
    }

    private static CompletionStage<Answer> answer(int status, String error, String description) {
        return CompletableFuture.completedFuture(c -> SignInHttp.oauthError(c, status, error, description));
    }

    private static ObjectNode tokenAnswer(SignInTokens.Issued issued, @org.jspecify.annotations.Nullable String email) {
        ObjectNode body = SignInHttp.JSON
                .createObjectNode()
                .put("access_token", issued.accessToken())
                .put("token_type", "Bearer")
                .put("expires_in", Math.max(1, issued.expiresIn().toSeconds()))
                .put("refresh_token", issued.refreshToken());
        if (email != null && !email.isBlank()) {
            body.put("email", email);
        }
        return body;
    }

    void revoke(ChannelHandlerContext ctx, HttpRequest request, ByteBuf body) {
        String token = SignInHttp.form(body).getOrDefault("token", "");
        String address = ClientAddress.of(ctx.channel());
        String agent = SignInHttp.userAgent(request);
        // RFC 7009 §2.2: 200 whether or not the token was known
        onLoop(ctx, tokens.endToken(token), ended -> {
            ended.ifPresent(s -> withName(
                    s.personId(),
                    name -> securityLog.info(
                            "sign-in: {} signed out (session {}) from {} with \"{}\"", name, s.id(), address, agent)));
            SignInHttp.send(ctx, 200, "application/json", new byte[0], Map.of());
        });
    }

    /** Runs {@code then} on the channel's event loop once {@code stage} completes; a failure answers 503. */
    static <T> void onLoop(ChannelHandlerContext ctx, CompletionStage<T> stage, java.util.function.Consumer<T> then) {
        stage.whenComplete((value, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                LoggerFactory.getLogger(OAuthEndpoints.class)
                        .warn("sign-in: store call failed: {}", Secrets.redact(String.valueOf(error)));
                SignInHttp.oauthError(ctx, 503, "temporarily_unavailable", "the gateway's store is unavailable");
                return;
            }
            then.accept(value);
        }));
    }
}
