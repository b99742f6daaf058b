package io.relaygate.server.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.relaygate.accounts.DuplicateNameException;
import io.relaygate.accounts.Store;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Ids;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import io.relaygate.server.pipeline.AdminRoutes;
import io.relaygate.server.pipeline.ClientAddress;
import io.relaygate.server.pipeline.ErrorAnswer;
import io.relaygate.server.pipeline.ErrorResponder;
import io.relaygate.server.pipeline.EventLoops;
import io.relaygate.server.pipeline.PublicOrigin;
import io.relaygate.server.upstream.TokenEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of the gateway's own port: the admin JSON API under {@code /admin/} (the console's only back
 * end, described by {@code /admin/openapi.json}), the console's files under {@code /ui/}, and the key holder's page
 * at {@code /me} with its API under {@code /me/api}.
 *
 * <p>An admin call is authorised by {@code Authorization: Bearer <admin token>} ({@code RELAYGATE_ADMIN_TOKEN}, for
 * scripts; without a configured token no bearer is accepted) or by a console session cookie, in which case every
 * write must also carry the session's CSRF token ({@link ConsoleSessions#CSRF_HEADER}). Gateway API keys are never
 * admin credentials. Changes are written to the audit log with the caller as the actor; every call to the security
 * log. Routes: see {@link AdminRouter}.
 */
public final class AdminApi implements AdminRoutes {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");
    static final String PREFIX = "/admin/";

    private final byte @Nullable [] token;
    private final ConsoleSessions sessions;
    private final ConsoleFiles files;
    private final AdminRouter router;
    private final KeyHolderApi keyHolder;
    private final AdminRequests requests;
    private final PublicOrigin origin;

    public AdminApi(Store store, @Nullable String token, Clock clock, TokenEndpoint tokens, PublicOrigin origin) {
        requireNonNull(store, "store");
        this.origin = requireNonNull(origin, "origin");
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.sessions = new ConsoleSessions(store.admin(), requireNonNull(clock, "clock"));
        this.files = ConsoleFiles.load();
        this.router = new AdminRouter(store, clock, requireNonNull(tokens, "tokens"));
        this.keyHolder = new KeyHolderApi(store, clock);
        this.requests = new AdminRequests(store, clock);
    }

    @Override
    public boolean matches(String path) {
        return path.startsWith(PREFIX)
                || path.equals("/admin")
                || path.equals("/ui")
                || path.startsWith("/ui/")
                || path.equals("/me")
                || path.startsWith("/me/");
    }

    /** Answers the request {@code request}; {@code body} is the request's body (empty for GET), not retained. */
    @Override
    public void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body) {
        String id = "adm_" + Ids.unique(16);
        String address = ClientAddress.of(ctx.channel());
        if (path.equals("/me/api")) {
            keyHolder.handle(ctx, request, id, address);
            return;
        }
        if (!path.startsWith(PREFIX)) {
            serveFile(ctx, request, path, id);
            return;
        }
        boolean put = HttpMethod.PUT.equals(request.method());
        // a write: POST, or PUT of a whole document (the catalogue, the signatures), which needs CSRF like a POST
        boolean post = HttpMethod.POST.equals(request.method()) || put;
        if (!post && !HttpMethod.GET.equals(request.method())) {
            error(
                    ctx,
                    ErrorKind.METHOD_NOT_ALLOWED,
                    request.method() + " " + path + " (expected: GET or POST; PUT on /admin/catalogue and"
                            + " /admin/signatures)",
                    id);
            return;
        }
        JsonNode json;
        String document;
        try {
            json = post && !put ? readJson(body) : Views.JSON.createObjectNode();
            document = put ? body.toString(StandardCharsets.UTF_8) : null;
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorKind.INVALID_REQUEST, e.getMessage(), id);
            return;
        }
        if (path.equals("/admin/openapi.json") && !post) {
            ConsoleFiles.File spec = files.all().get("openapi.json");
            ConsoleFiles.serve(ctx, request, requireNonNull(spec, "openapi.json"), id);
            return;
        }
        if (path.equals("/admin/login") && post) {
            login(ctx, request, json, id, address);
            return;
        }
        if (path.equals("/admin/logout") && post) {
            boolean secure = origin.secure(ctx, request);
            answer(
                    ctx,
                    sessions.logout(request.headers().get(HttpHeaderNames.COOKIE))
                            .thenApply(done ->
                                    AdminAnswer.ok(Views.JSON.createObjectNode().put("signedIn", false))),
                    id,
                    Map.of("set-cookie", ConsoleSessions.clearedCookie(secure)));
            return;
        }
        String bearer = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (bearer != null) {
            if (!tokenMatches(bearer)) {
                securityLog.info("[{}] admin API: refused {} {} from {}", id, request.method(), path, address);
                error(ctx, ErrorKind.AUTHENTICATION, "admin token missing or wrong", id);
                return;
            }
            securityLog.info("[{}] admin API: {} {} from {}", id, request.method(), path, address);
            route(ctx, request, path, json, document, id, "admin-api from " + address, null);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(sessions.resolve(request.headers().get(HttpHeaderNames.COOKIE)), ctx.executor(), (s, e) -> {
            ctx.channel().config().setAutoRead(true);
            if (e != null) {
                error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(e.toString()), id);
                return;
            }
            if (s.isEmpty()) {
                securityLog.info(
                        "[{}] admin API: refused {} {} from {} (no session)", id, request.method(), path, address);
                error(ctx, ErrorKind.AUTHENTICATION, "sign in to the console, or send the admin token", id);
                return;
            }
            if (post && !ConsoleSessions.csrfMatches(s.get(), request.headers().get(ConsoleSessions.CSRF_HEADER))) {
                securityLog.warn(
                        "[{}] admin API: refused {} {} from {} (CSRF token missing or wrong)",
                        id,
                        request.method(),
                        path,
                        address);
                error(ctx, ErrorKind.PERMISSION, "CSRF token missing or wrong (reload the console)", id);
                return;
            }
            if (post) {
                securityLog.info("[{}] console: {} {} from {}", id, request.method(), path, address);
            }
            route(ctx, request, path, json, document, id, "console from " + address, s.get());
        });
    }

    private void route(
            ChannelHandlerContext ctx,
            HttpRequest request,
            String path,
            JsonNode json,
            @Nullable String document,
            String id,
            String actor,
            ConsoleSessions.@Nullable Session session) {
        if (path.equals("/admin/session")) {
            ObjectNode n = Views.JSON.createObjectNode().put("signedIn", true);
            if (session != null) {
                n.put("csrf", session.csrf());
            }
            answer(ctx, CompletableFuture.completedFuture(AdminAnswer.ok(n)), id, Map.of());
            return;
        }
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        if (path.equals("/admin/requests") && HttpMethod.GET.equals(request.method())) {
            requests.serve(ctx, query, id);
            return;
        }
        CompletionStage<AdminAnswer> answer;
        try {
            if (HttpMethod.PUT.equals(request.method())) {
                answer = router.put(path, document == null ? "" : document, actor);
            } else {
                answer = HttpMethod.POST.equals(request.method())
                        ? router.post(path, json, actor)
                        : router.get(path, query);
            }
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer(ctx, answer, id, Map.of());
    }

    private void login(ChannelHandlerContext ctx, HttpRequest request, JsonNode json, String id, String address) {
        String password = json.path("password").asText("");
        if (password.isEmpty()) {
            error(ctx, ErrorKind.INVALID_REQUEST, "password: missing", id);
            return;
        }
        boolean secure = origin.secure(ctx, request);
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(sessions.login(password, address), ctx.executor(), (result, e) -> {
            ctx.channel().config().setAutoRead(true);
            if (e != null) {
                error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(e.toString()), id);
            } else if (result.throttled()) {
                ErrorResponder.send(
                        ctx,
                        ErrorAnswer.of(
                                        WireFormat.OPENAI_CHAT,
                                        ErrorKind.RATE_LIMIT,
                                        "too many failed sign-ins: wait " + result.retryAfterSeconds() / 60
                                                + " minutes")
                                .requestId(id)
                                .retryAfter(result.retryAfterSeconds()));
            } else if (result.token() == null || result.session() == null) {
                error(ctx, ErrorKind.AUTHENTICATION, "wrong password", id);
            } else {
                ObjectNode n = Views.JSON
                        .createObjectNode()
                        .put("signedIn", true)
                        .put("csrf", result.session().csrf());
                AdminHttp.json(
                        ctx,
                        200,
                        n.toString(),
                        id,
                        Map.of("set-cookie", ConsoleSessions.cookie(result.token(), secure)));
            }
        });
    }

    private void serveFile(ChannelHandlerContext ctx, HttpRequest request, String path, String id) {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            error(ctx, ErrorKind.METHOD_NOT_ALLOWED, request.method() + " " + path + " (expected: GET)", id);
            return;
        }
        if (path.equals("/ui")) {
            AdminHttp.send(ctx, 308, "text/plain; charset=utf-8", new byte[0], id, Map.of("location", "/ui/"));
            return;
        }
        ConsoleFiles.File f = files.find(path);
        if (f == null) {
            error(ctx, ErrorKind.NOT_FOUND, "no console file " + path, id);
            return;
        }
        ConsoleFiles.serve(ctx, request, f, id);
    }

    /** Writes {@code answer} once it completes, on the channel's event loop, pausing reads meanwhile. */
    static void answer(
            ChannelHandlerContext ctx, CompletionStage<AdminAnswer> answer, String id, Map<String, String> headers) {
        // one admin call at a time per connection: no pipelined request overtakes the answer
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(answer, ctx.executor(), (a, failure) -> {
            ctx.channel().config().setAutoRead(true);
            if (failure == null) {
                AdminHttp.json(ctx, a.status(), a.json().toString(), id, headers);
                return;
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException || cause instanceof DuplicateNameException) {
                error(ctx, ErrorKind.INVALID_REQUEST, Secrets.redact(String.valueOf(cause.getMessage())), id);
            } else if (cause instanceof UsageException) {
                error(ctx, ErrorKind.NOT_FOUND, Secrets.redact(String.valueOf(cause.getMessage())), id);
            } else if (cause instanceof GatewayException g) {
                error(ctx, g.kind(), Secrets.redact(String.valueOf(g.getMessage())), id);
            } else {
                error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(cause.toString()), id);
            }
        });
    }

    private static JsonNode readJson(ByteBuf body) {
        if (!body.isReadable()) {
            return Views.JSON.createObjectNode();
        }
        try (InputStream in = new ByteBufInputStream(body.duplicate())) {
            JsonNode n = Views.JSON.readTree(in);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("body: expected a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("body: not valid JSON");
        }
    }

    private boolean tokenMatches(String header) {
        byte[] expected = token;
        if (expected == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(expected, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    static void error(ChannelHandlerContext ctx, ErrorKind kind, String message, String id) {
        ErrorResponder.send(
                ctx, ErrorAnswer.of(WireFormat.OPENAI_CHAT, kind, message).requestId(id));
    }
}
