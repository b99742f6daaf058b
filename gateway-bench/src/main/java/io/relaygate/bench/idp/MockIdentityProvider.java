package io.relaygate.bench.idp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A small OpenID Connect provider on a loopback port, the identity provider of single sign-on tests: the discovery
 * document ({@code /.well-known/openid-configuration}), an authorization endpoint with a test login, a token endpoint
 * that exchanges a code (PKCE S256 checked, client secret checked) for an RS256 ID token, and the JWKS. Users are
 * added by the test ({@link #user}).
 *
 * <p>The test login: {@code GET /authorize?…} shows a form naming the user; {@code GET /authorize/login?user=…&…} with
 * the same parameters signs that user in and redirects to {@code redirect_uri} with {@code code} and {@code state}
 * (OpenID Connect Core §3.1.2.5). An unknown user or client gets a 400 page.
 *
 * <p>Thread-safe: its maps are guarded by its monitor.
 */
public final class MockIdentityProvider implements AutoCloseable {

    /** A user of the provider. */
    public record User(String subject, String email, List<String> groups) {
        public User {
            requireNonNull(subject, "subject");
            requireNonNull(email, "email");
            groups = List.copyOf(groups);
        }
    }

    private record Pending(
            User user,
            String clientId,
            String redirectUri,
            @Nullable String nonce,
            String challenge) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String clientId;
    private final String clientSecret;
    private final RSAKey signingKey;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel channel;
    private final Map<String, User> users = new HashMap<>();
    private final Map<String, Pending> codes = new HashMap<>();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private volatile String groupsClaim = "groups";
    private volatile boolean forge;

    private MockIdentityProvider(String clientId, String clientSecret, int port) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        try {
            this.signingKey = new RSAKeyGenerator(2048)
                    .keyID("mock-idp-" + random(6))
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make the mock provider's RSA key", e);
        }
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new Handler());
                    }
                })
                .bind("127.0.0.1", port)
                .syncUninterruptibly()
                .channel();
    }

    /** Starts a provider on an ephemeral loopback port for client {@code clientId} with {@code clientSecret}. */
    public static MockIdentityProvider start(String clientId, String clientSecret) {
        return start(clientId, clientSecret, 0);
    }

    /** Starts a provider on loopback {@code port} ({@code 0}: any free port). */
    public static MockIdentityProvider start(String clientId, String clientSecret, int port) {
        return new MockIdentityProvider(
                requireNonNull(clientId, "clientId"), requireNonNull(clientSecret, "secret"), port);
    }

    /** The issuer, {@code http://127.0.0.1:<port>}. */
    public String issuer() {
        return "http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Adds (or replaces) user {@code name} who signs in with the test login. */
    public synchronized MockIdentityProvider user(String name, String email, List<String> groups) {
        users.put(name, new User("sub-" + name, email, groups));
        return this;
    }

    /** The claim the groups are put in ({@code groups} unless a test says otherwise). */
    public MockIdentityProvider groupsClaim(String name) {
        this.groupsClaim = requireNonNull(name, "name");
        return this;
    }

    /**
     * Whether ID tokens are signed with another RSA key under the published key's id (a forgery the relying party
     * must refuse).
     */
    public MockIdentityProvider forgeSignatures(boolean value) {
        this.forge = value;
        return this;
    }

    /** How many ID tokens the token endpoint issued. */
    public int tokensIssued() {
        return tokensIssued.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            Map<String, String> query = first(uri.parameters());
            switch (uri.path()) {
                case "/.well-known/openid-configuration" -> send(ctx, 200, "application/json", discovery());
                case "/jwks" -> send(ctx, 200, "application/json", new JWKSet(signingKey.toPublicJWK()).toString());
                case "/authorize" -> loginForm(ctx, query);
                case "/authorize/login" -> login(ctx, query);
                case "/token" -> token(ctx, request);
                default -> send(ctx, 404, "text/plain", "not found");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private String discovery() {
        String issuer = issuer();
        ObjectNode d = JSON.createObjectNode()
                .put("issuer", issuer)
                .put("authorization_endpoint", issuer + "/authorize")
                .put("token_endpoint", issuer + "/token")
                .put("jwks_uri", issuer + "/jwks");
        d.putArray("response_types_supported").add("code");
        d.putArray("subject_types_supported").add("public");
        d.putArray("id_token_signing_alg_values_supported").add("RS256");
        d.putArray("code_challenge_methods_supported").add("S256");
        d.putArray("token_endpoint_auth_methods_supported")
                .add("client_secret_basic")
                .add("client_secret_post");
        return d.toString();
    }

    private void loginForm(ChannelHandlerContext ctx, Map<String, String> query) {
        StringBuilder hidden = new StringBuilder();
        query.forEach((k, v) -> hidden.append("<input type=\"hidden\" name=\"")
                .append(escape(k))
                .append("\" value=\"")
                .append(escape(v))
                .append("\">"));
        send(
                ctx,
                200,
                "text/html; charset=utf-8",
                "<!doctype html><title>Mock IdP</title><form method=\"get\" action=\"/authorize/login\">" + hidden
                        + "<label for=\"user\">User</label><input id=\"user\" name=\"user\">"
                        + "<button id=\"sign-in\" type=\"submit\">Sign in</button></form>");
    }

    private void login(ChannelHandlerContext ctx, Map<String, String> q) {
        String redirect = q.getOrDefault("redirect_uri", "");
        User user;
        synchronized (this) {
            user = users.get(q.getOrDefault("user", ""));
        }
        if (user == null || !clientId.equals(q.get("client_id")) || redirect.isEmpty()) {
            send(ctx, 400, "text/plain", "unknown user or client");
            return;
        }
        if (!"code".equals(q.get("response_type")) || !"S256".equals(q.get("code_challenge_method"))) {
            send(ctx, 400, "text/plain", "expected response_type=code and code_challenge_method=S256");
            return;
        }
        String code = "idp-code-" + random(16);
        synchronized (this) {
            codes.put(
                    code, new Pending(user, clientId, redirect, q.get("nonce"), q.getOrDefault("code_challenge", "")));
        }
        String location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code + "&state="
                + URLEncoder.encode(q.getOrDefault("state", ""), StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND);
        r.headers()
                .set(HttpHeaderNames.LOCATION, location)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private void token(ChannelHandlerContext ctx, FullHttpRequest request) {
        Map<String, String> form =
                first(new QueryStringDecoder(request.content().toString(StandardCharsets.UTF_8), false).parameters());
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (basic.startsWith("Basic ")) {
            String[] pair =
                    new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            id = java.net.URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            secret = pair.length > 1 ? java.net.URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "";
        }
        if (!clientId.equals(id)
                || secret == null
                || !java.security.MessageDigest.isEqual(
                        clientSecret.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
            send(ctx, 401, "application/json", "{\"error\":\"invalid_client\"}");
            return;
        }
        Pending pending;
        synchronized (this) {
            pending = codes.remove(form.getOrDefault("code", ""));
        }
        if (pending == null
                || !"authorization_code".equals(form.get("grant_type"))
                || !pending.redirectUri().equals(form.get("redirect_uri"))
                || !pending.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
            send(ctx, 400, "application/json", "{\"error\":\"invalid_grant\"}");
            return;
        }
        ObjectNode answer = JSON.createObjectNode()
                .put("access_token", "idp-at-" + random(16))
                .put("token_type", "Bearer")
                .put("expires_in", 300)
                .put("id_token", idToken(pending));
        tokensIssued.incrementAndGet();
        send(ctx, 200, "application/json", answer.toString());
    }

    private String idToken(Pending p) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject(p.user().subject())
                .audience(p.clientId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .claim("email", p.user().email())
                .claim(groupsClaim, p.user().groups());
        if (p.nonce() != null) {
            claims.claim("nonce", p.nonce());
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(signingKey.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims.build());
        try {
            RSAKey key = forge
                    ? new RSAKeyGenerator(2048).keyID(signingKey.getKeyID()).generate()
                    : signingKey;
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an ID token", e);
        }
        return jwt.serialize();
    }

    private static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> first(Map<String, List<String>> params) {
        Map<String, String> out = new HashMap<>();
        params.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k, v.get(0));
            }
        });
        return out;
    }

    private static void send(ChannelHandlerContext ctx, int status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        // the connection is closed after each answer, so say so: a client that pools connections must not reuse it
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
