package io.relaygate.server.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import io.relaygate.accounts.UsageReport;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Ids;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import io.relaygate.server.pipeline.AdminRoutes;
import io.relaygate.server.pipeline.ClientAddress;
import io.relaygate.server.pipeline.ErrorResponder;
import io.relaygate.server.pipeline.EventLoops;
import io.relaygate.server.upstream.TokenEndpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side of the admin API, on the gateway's own port under {@code /admin/}, for dashboards and scripts:
 *
 * <ul>
 *   <li>{@code GET /admin/usage?by=key|account|model&period=hour|day|week|total&at=2026-11-30}: the JSON
 *       {@code relaygate usage --json} prints
 *   <li>{@code GET /admin/accounts}: every account with its state (active, rate-limited, overloaded, unauthorized),
 *       until when, why, when it was last used, and its upstream's last rate-limit reading ({@code quota}); never
 *       credentials
 *   <li>{@code POST /admin/accounts} (JSON, see {@link AdminAccounts#add}): adds an account, signing subscription
 *       accounts in (a Claude code with its verifier, a refresh token, a Codex auth.json); 201 with its view
 *   <li>{@code POST /admin/accounts/<name>/resume}: puts an account back into rotation
 *   <li>{@code POST /admin/oauth/claude}: starts a Claude sign-in: {@code {"url", "verifier"}}
 *   <li>{@code GET /admin/catalogue}: the model catalogue in use ({@link CatalogueAdmin#json}); {@code PUT
 *       /admin/catalogue} with a whole catalogue (JSON or YAML) validates and stores it for every instance
 *   <li>{@code GET /admin/signatures}, {@code PUT /admin/signatures}: the same for the client signatures
 * </ul>
 *
 * Changes are written to the audit log with the caller's address as the actor.
 *
 * Every call needs {@code Authorization: Bearer <admin token>} ({@code RELAYGATE_ADMIN_TOKEN}); without a configured
 * token the admin API answers 404. Gateway API keys are not admin tokens.
 */
public final class AdminApi implements AdminRoutes {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "/admin/";

    private final Store store;
    private final byte @Nullable [] token;
    private final Clock clock;
    private final TokenEndpoint tokens;

    public AdminApi(Store store, @Nullable String token, Clock clock, TokenEndpoint tokens) {
        this.store = requireNonNull(store, "store");
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.clock = requireNonNull(clock, "clock");
        this.tokens = requireNonNull(tokens, "tokens");
    }

    @Override
    public boolean matches(String path) {
        return path.startsWith(PREFIX) || path.equals("/admin");
    }

    /** Answers the admin request {@code request}; {@code body} is the request's body (empty for GET), not retained. */
    @Override
    public void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body) {
        String id = "adm_" + Ids.unique(16);
        if (token == null) {
            error(ctx, ErrorKind.NOT_FOUND, "the admin API is off: set RELAYGATE_ADMIN_TOKEN to turn it on", id);
            return;
        }
        if (!authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            securityLog.info(
                    "[{}] admin API: refused {} {} from {}",
                    id,
                    request.method(),
                    path,
                    ClientAddress.of(ctx.channel()));
            error(ctx, ErrorKind.AUTHENTICATION, "admin token missing or wrong", id);
            return;
        }
        securityLog.info("[{}] admin API: {} {} from {}", id, request.method(), path, ClientAddress.of(ctx.channel()));
        if (HttpMethod.POST.equals(request.method())) {
            post(ctx, path, body, id, "admin-api from " + ClientAddress.of(ctx.channel()));
            return;
        }
        if (HttpMethod.PUT.equals(request.method())
                && (path.equals("/admin/catalogue") || path.equals("/admin/signatures"))) {
            String text = body.toString(StandardCharsets.UTF_8);
            String actor = "admin-api from " + ClientAddress.of(ctx.channel());
            reply(
                    ctx,
                    id,
                    path.equals("/admin/catalogue")
                            ? () -> CatalogueAdmin.update(store, "catalogue", text, actor)
                                    .thenApply(CatalogueAdmin::json)
                            : () -> SignaturesAdmin.update(store, "signatures", text, actor)
                                    .thenApply(SignaturesAdmin::json));
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            error(
                    ctx,
                    ErrorKind.METHOD_NOT_ALLOWED,
                    request.method() + " " + path
                            + " (expected: GET or POST; PUT on /admin/catalogue and /admin/signatures)",
                    id);
            return;
        }
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        CompletionStage<ObjectNode> answer;
        try {
            switch (path) {
                case "/admin/usage":
                    answer = usage(query);
                    break;
                case "/admin/accounts":
                    answer = accounts();
                    break;
                case "/admin/catalogue":
                    answer = CatalogueAdmin.current(store).thenApply(CatalogueAdmin::json);
                    break;
                case "/admin/signatures":
                    answer = SignaturesAdmin.current(store).thenApply(SignaturesAdmin::json);
                    break;
                default:
                    error(
                            ctx,
                            ErrorKind.NOT_FOUND,
                            "no admin route " + path
                                    + " (expected: /admin/usage, /admin/accounts, /admin/catalogue or /admin/signatures)",
                            id);
                    return;
            }
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorKind.INVALID_REQUEST, e.getMessage(), id);
            return;
        }
        // one admin call at a time per connection: no pipelined request overtakes the answer
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(answer, ctx.executor(), (json, failure) -> {
            ctx.channel().config().setAutoRead(true);
            if (failure != null) {
                error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(failure.toString()), id);
                return;
            }
            ErrorResponder.sendJson(ctx, 200, json.toString(), id);
        });
    }

    private void post(ChannelHandlerContext ctx, String path, ByteBuf body, String id, String actor) {
        CompletionStage<ObjectNode> answer;
        int status = 200;
        try {
            if (path.equals("/admin/oauth/claude")) {
                answer = CompletableFuture.completedFuture(AdminAccounts.claudeSignIn(null));
            } else if (path.equals("/admin/accounts")) {
                JsonNode json = readJson(body);
                status = 201;
                // A Claude code is exchanged over HTTP: off the event loop.
                answer = CompletableFuture.supplyAsync(() -> AdminAccounts.add(store, json, actor, tokens))
                        .thenCompose(stage -> stage);
            } else if (path.startsWith("/admin/accounts/") && path.endsWith("/resume")) {
                String name = path.substring("/admin/accounts/".length(), path.length() - "/resume".length());
                answer = AdminAccounts.resume(store, name, actor, clock.instant())
                        .thenApply(resumed -> Views.account(resumed.account()));
            } else {
                error(
                        ctx,
                        ErrorKind.NOT_FOUND,
                        "no admin route POST " + path
                                + " (expected: /admin/accounts, /admin/accounts/<name>/resume or /admin/oauth/claude)",
                        id);
                return;
            }
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorKind.INVALID_REQUEST, e.getMessage(), id);
            return;
        }
        int ok = status;
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(answer, ctx.executor(), (json, failure) -> {
            ctx.channel().config().setAutoRead(true);
            if (failure != null) {
                Throwable cause =
                        failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                if (cause instanceof IllegalArgumentException || cause instanceof DuplicateNameException) {
                    error(ctx, ErrorKind.INVALID_REQUEST, Secrets.redact(String.valueOf(cause.getMessage())), id);
                } else {
                    error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(cause.toString()), id);
                }
                return;
            }
            ErrorResponder.sendJson(ctx, ok, json.toString(), id);
        });
    }

    /** Runs {@code write} and answers its JSON, or a 400 naming what was invalid, or a 503 when the store failed. */
    private void reply(
            ChannelHandlerContext ctx, String id, java.util.function.Supplier<CompletionStage<ObjectNode>> write) {
        CompletionStage<ObjectNode> answer;
        try {
            answer = write.get();
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorKind.INVALID_REQUEST, Secrets.redact(String.valueOf(e.getMessage())), id);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        EventLoops.onLoop(answer, ctx.executor(), (json, failure) -> {
            ctx.channel().config().setAutoRead(true);
            if (failure != null) {
                error(ctx, ErrorKind.UNAVAILABLE, "store unavailable: " + Secrets.redact(failure.toString()), id);
                return;
            }
            ErrorResponder.sendJson(ctx, 200, json.toString(), id);
        });
    }

    private static JsonNode readJson(ByteBuf body) {
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
            JsonNode n = JSON.readTree((java.io.InputStream) in);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("body: expected a JSON object");
            }
            return n;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("body: not valid JSON");
        }
    }

    private boolean authorized(@Nullable String header) {
        byte[] expected = token;
        if (header == null || expected == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(expected, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private CompletionStage<ObjectNode> usage(Map<String, List<String>> query) {
        UsageScope scope = UsageReport.parseScope(first(query, "by"));
        Period period = UsageReport.parsePeriod(first(query, "period"));
        Instant at = UsageReport.parseAt(first(query, "at"), clock.instant());
        return UsageReport.read(store, scope, period, at)
                .thenCombine(CatalogueAdmin.current(store), (r, catalogue) -> r.toJson(JSON, catalogue));
    }

    private CompletionStage<ObjectNode> accounts() {
        Instant now = clock.instant();
        CompletableFuture<List<Account>> accounts = store.accounts().list().toCompletableFuture();
        CompletableFuture<Map<String, AccountCondition>> conditions =
                store.state().conditions(now).toCompletableFuture();
        CompletableFuture<Map<String, Instant>> used = store.state().lastUsed().toCompletableFuture();
        CompletableFuture<Map<String, AccountQuota>> quotas =
                store.state().quotas().toCompletableFuture();
        return CompletableFuture.allOf(accounts, conditions, used, quotas).thenApply(done -> {
            ObjectNode n = JSON.createObjectNode();
            ArrayNode a = n.putArray("accounts");
            for (Account acc : accounts.join()) {
                ObjectNode o = a.addObject();
                o.put("id", acc.id());
                o.put("name", acc.name());
                o.put("kind", acc.kind().wireName());
                o.put("baseUrl", Secrets.redactUrl(acc.baseUrl()));
                o.put("priority", acc.priority());
                o.put("schedulable", acc.schedulable());
                if (acc.group() != null) {
                    o.put("group", acc.group());
                }
                AccountStateJson.put(
                        o,
                        conditions.join().get(acc.id()),
                        used.join().get(acc.id()),
                        quotas.join().get(acc.id()),
                        now);
            }
            return n;
        });
    }

    private static @Nullable String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0).trim();
    }

    private static void error(ChannelHandlerContext ctx, ErrorKind kind, String message, String id) {
        ErrorResponder.send(ctx, WireFormat.OPENAI_CHAT, kind, message, id, null, false);
    }
}
