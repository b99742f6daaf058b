package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.accounts.AdminStore;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.PeopleStore;
import io.relaygate.server.pipeline.ClientAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verification page of the device grant ({@code verification_uri}): a static page whose script (no inline code)
 * takes the user code from the address Claude Code opened and the one-time sign-in link from the address's fragment
 * (so the link never reaches a server log or a Referer), and posts both to {@code /device/approve} when the person
 * presses Approve. Nothing is submitted by itself (RFC 8628 §5.4). Failed approvals are counted per address, and an
 * address with too many is refused for a while (§5.1).
 */
final class ApprovalPage {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    static final String PAGE = "/device";
    static final String APPROVE = "/device/approve";
    static final String SCRIPT = "/device/device.js";
    static final String STYLE = "/device/device.css";

    /** Failed approvals an address may make in {@link #FAILURE_WINDOW} before it is refused. */
    static final int MAX_FAILURES = 20;

    static final Duration FAILURE_WINDOW = Duration.ofMinutes(15);

    private final PeopleStore people;
    private final DeviceGrants grants;
    private final AdminStore limits;
    private final byte[] html = resource("device.html");
    private final byte[] script = resource("device.js");
    private final byte[] style = resource("device.css");

    ApprovalPage(PeopleStore people, DeviceGrants grants, AdminStore limits) {
        this.people = requireNonNull(people, "people");
        this.grants = requireNonNull(grants, "grants");
        this.limits = requireNonNull(limits, "limits");
    }

    private static byte[] resource(String name) {
        try (InputStream in = ApprovalPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("sign-in page file " + name + " missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void file(ChannelHandlerContext ctx, String path) {
        switch (path) {
            case SCRIPT -> SignInHttp.send(ctx, 200, "text/javascript; charset=utf-8", script, Map.of());
            case STYLE -> SignInHttp.send(ctx, 200, "text/css; charset=utf-8", style, Map.of());
            default -> SignInHttp.send(ctx, 200, "text/html; charset=utf-8", html, Map.of());
        }
    }

    /** {@code POST /device/approve} with {@code {"link":…,"user_code":…,"approve":true|false}}. */
    void approve(ChannelHandlerContext ctx, HttpRequest request, ByteBuf body) {
        String address = ClientAddress.of(ctx.channel());
        JsonNode form;
        try {
            form = SignInHttp.JSON.readTree(body.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            form = null;
        }
        if (form == null || !form.isObject()) {
            answer(ctx, 400, false, "send JSON: {\"link\": …, \"user_code\": …}");
            return;
        }
        String link = form.path("link").asText("").trim();
        String code = form.path("user_code").asText("").trim();
        boolean approve = form.path("approve").asBoolean(true);
        String client = SignInHttp.userAgent(request);
        OAuthEndpoints.onLoop(ctx, limits.failures("signin:" + address), failures -> {
            if (failures >= MAX_FAILURES) {
                securityLog.info("sign-in: approval refused to {} (too many failed attempts)", address);
                answer(ctx, 429, false, "too many failed attempts from this address: try again in 15 minutes");
                return;
            }
            OAuthEndpoints.onLoop(ctx, decide(link, code, approve), outcome -> {
                if (outcome.status() != 200) {
                    limits.countFailure("signin:" + address, FAILURE_WINDOW);
                    securityLog.info("sign-in: approval failed from {} ({}): {}", address, client, outcome.message());
                } else {
                    securityLog.info("sign-in: {} from {} ({})", outcome.message(), address, client);
                }
                answer(ctx, outcome.status(), outcome.status() == 200, outcome.message());
            });
        });
    }

    private record Outcome(int status, String message) {}

    private CompletionStage<Outcome> decide(String link, String code, boolean approve) {
        if (link.isEmpty() || code.isEmpty()) {
            return done(400, "enter the code Claude Code shows and open your sign-in link");
        }
        return grants.peekLink(link).thenCompose(personId -> {
            if (personId.isEmpty()) {
                return done(403, "this sign-in link is unknown, used or expired: ask your operator for a new one");
            }
            return people.findById(personId.get()).thenCompose(person -> {
                if (person.isEmpty() || !person.get().enabled()) {
                    return done(403, "this person cannot sign in: ask your operator");
                }
                String name = person.get().name();
                return grants.answer(code, personId.get(), approve).thenCompose(result -> switch (result) {
                    case APPROVED ->
                        grants.redeemLink(link)
                                .thenApply(used -> used.isPresent()
                                        ? new Outcome(200, name + " approved the sign-in; return to Claude Code")
                                        : new Outcome(403, "this sign-in link was just used"));
                    case DENIED -> done(200, name + " refused the sign-in");
                    case EXPIRED -> done(400, "the code ran out: run /login in Claude Code again");
                    case ALREADY_ANSWERED -> done(400, "this code was already answered");
                    case UNKNOWN_CODE -> done(400, "unknown code: check the code Claude Code shows");
                });
            });
        });
    }

    private static CompletionStage<Outcome> done(int status, String message) {
        return CompletableFuture.completedFuture(new Outcome(status, message));
    }

    private static void answer(ChannelHandlerContext ctx, int status, boolean ok, String message) {
        ObjectNode body = SignInHttp.JSON.createObjectNode().put("ok", ok).put("message", message);
        SignInHttp.json(ctx, status, body);
    }
}
