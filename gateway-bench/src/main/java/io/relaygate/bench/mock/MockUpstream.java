package io.relaygate.bench.mock;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A mock upstream AI provider on 127.0.0.1 speaking three APIs, each in its own format (JSON and SSE, any path prefix
 * and query string):
 *
 * <ul>
 *   <li>Anthropic Messages: {@code POST /v1/messages}, {@code POST /v1/messages/count_tokens}, {@code GET /v1/models};
 *   <li>OpenAI Chat Completions: {@code POST …/chat/completions};
 *   <li>OpenAI Responses: {@code POST …/responses} ({@code /v1/responses}, {@code /openai/v1/responses},
 *       {@code /responses}, the ChatGPT Codex backend's {@code /backend-api/codex/responses}); a WebSocket upgrade
 *       ({@code GET} with {@code Upgrade: websocket}) gets a 404, as from a server without WebSocket support.
 * </ul>
 *
 * <p>The scenario comes from a {@code mock:<scenario>} directive in the last user text, else from an upstream
 * credential {@code mock-<scenario>} ({@code x-api-key} or bearer), else {@code text}; see {@link Scenario}.
 * Per-request pacing overrides: headers {@code x-mock-ttft-ms}, {@code x-mock-events},
 * {@code x-mock-event-interval-ms}. OpenAI answers carry {@code x-ratelimit-*} headers and successful Anthropic
 * answers {@code anthropic-ratelimit-*} ones (plus the subscription's {@code anthropic-ratelimit-unified-*} when the
 * credential starts with {@code sk-ant-oat}, the request has {@code x-mock-unified: 1} or the mock's options set a
 * unified value); each value can be set per mock ({@link MockOptions#rateLimits()}) and per request with
 * {@code x-mock-<the name without its vendor prefix>}, e.g. {@code x-mock-ratelimit-unified-5h-utilization}.
 *
 * <p>Usage is deterministic so tests can check accounting to the token: input tokens = max(1, request body bytes /
 * 4); output tokens = the number of content delta events sent (text, thinking or reasoning summary, signature, tool
 * argument or custom tool input deltas), the same in the JSON answer.
 *
 * <p>OAuth ({@link #oauth()}, see {@link MockOAuth}): {@code POST …/v1/oauth/token} plays Claude's token endpoint and
 * any other {@code POST …/oauth/token} OpenAI's, with authorization codes (PKCE S256), rotating refresh tokens, a
 * delay and a failure switch; bearers the mock issued are checked for expiry (and Claude's for the
 * {@code oauth-2025-04-20} beta flag) on the model endpoints. Token requests are recorded like the others.
 *
 * <p>TLS ({@link MockOptions#withTls(boolean)}): HTTPS with a self-signed certificate for {@code localhost} and
 * {@code 127.0.0.1}; {@link #baseUrl()} is then {@code https://localhost:<port>}, and {@link #trustStore()},
 * {@link #certificatePem()} or {@link #clientSslContext()} let a client trust it.
 *
 * <p>HTTP/2 ({@link MockOptions#withHttp2(boolean)}): with TLS, ALPN offers {@code h2} and {@code http/1.1}; without,
 * a connection opening with the HTTP/2 preface speaks h2c. Everything above works the same on HTTP/2 streams: a
 * reset is a {@code RST_STREAM} of that stream, a close-delimited end an empty {@code END_STREAM}, and a client's
 * {@code RST_STREAM} counts as a cancelled stream. {@link RecordedExchange#protocol()} and
 * {@link RecordedExchange#connection()} tell which protocol and connection each exchange came over;
 * {@link #goAway()} sends a graceful {@code GOAWAY} on every HTTP/2 connection, {@link #mute()} makes them stop
 * answering (a dead connection), {@link #pingsReceived()} counts the clients' PINGs; a request header
 * {@code x-mock-refuse-stream: <token>} has the first stream carrying that token refused ({@code REFUSED_STREAM}).
 */
public final class MockUpstream implements AutoCloseable {

    /** Response bytes recorded per exchange; longer answers (the flood) are counted but not kept. */
    public static final int MAX_RECORDED_BYTES = 8 * 1024 * 1024;

    private final EventLoopGroup group;
    private final Channel server;
    private final MockOptions options;
    private final List<Exchange> exchanges = new ArrayList<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong declaredInput = new AtomicLong();
    private final AtomicLong declaredOutput = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.Set<String> refusals = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ChannelGroup http2Connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger pingsReceived = new AtomicInteger();
    private final MockOAuth oauth;
    private final MockCloud cloud;
    private final @Nullable MockTls tls;

    /**
     * A PKCS12 trust store holding the mock's certificate only.
     *
     * @param path the file
     * @param password its store password (no secret: the store has no private key)
     * @param type always {@code PKCS12}
     */
    public record TrustStore(Path path, String password, String type) {

        public TrustStore {
            requireNonNull(path, "path");
            requireNonNull(password, "password");
            requireNonNull(type, "type");
        }
    }

    private MockUpstream(MockOptions options) {
        this.options = requireNonNull(options, "options");
        oauth = new MockOAuth(options.oauthExpiresIn());
        cloud = new MockCloud();
        MockTls t = options.tls() ? MockTls.shared() : null;
        tls = t;
        // The native transport where there is one: fewer system calls and no selector per event (the stream
        // harness writes 100,000 events/s).
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(
                2,
                new DefaultThreadFactory("mock-upstream", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Thread-cached pools: one small buffer per streamed event costs a tenth of the adaptive
                    // allocator's (measured, docs/benchmarks.md "The stream harness").
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.incrementAndGet();
                            MockProtocols.init(ch, MockUpstream.this, t);
                        }
                    })
                    .bind("127.0.0.1", options.port())
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Starts a mock on 127.0.0.1; returns when it listens. */
    public static MockUpstream start(MockOptions options) {
        return new MockUpstream(options);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * {@code http://127.0.0.1:<port>}, or with TLS {@code https://localhost:<port>} (the name the certificate is for;
     * the JDK resolves it to 127.0.0.1 first unless told to prefer IPv6).
     */
    public String baseUrl() {
        return tls == null ? "http://127.0.0.1:" + port() : "https://localhost:" + port();
    }

    /** The OAuth token endpoints' state, switches and counters. */
    public MockOAuth oauth() {
        return oauth;
    }

    /** The credentials the Bedrock and Vertex modes accept ({@link CloudMockHandler}). */
    public MockCloud cloud() {
        return cloud;
    }

    /** Whether the mock serves HTTPS. */
    public boolean tls() {
        return tls != null;
    }

    /** The mock's certificate as a PEM file; throws when TLS is off. */
    public Path certificatePem() {
        return tlsMaterial().certificatePem();
    }

    /** The mock's certificate as the only entry of a PKCS12 trust store; throws when TLS is off. */
    public TrustStore trustStore() {
        return new TrustStore(tlsMaterial().trustStore(), MockTls.TRUST_STORE_PASSWORD, "PKCS12");
    }

    /** A client {@link SSLContext} that trusts the mock's certificate and nothing else; throws when TLS is off. */
    public SSLContext clientSslContext() {
        return tlsMaterial().clientContext();
    }

    private MockTls tlsMaterial() {
        MockTls t = tls;
        if (t == null) {
            throw new IllegalStateException("mock upstream: TLS is off (start it with MockOptions.withTls(true))");
        }
        return t;
    }

    MockOptions options() {
        return options;
    }

    /** Snapshots of every exchange so far, in arrival order. */
    public synchronized List<RecordedExchange> exchanges() {
        List<RecordedExchange> out = new ArrayList<>(exchanges.size());
        for (Exchange e : exchanges) {
            out.add(e.snapshot());
        }
        return out;
    }

    /** Waits until the {@code index}-th request (0-based) arrived. */
    public RecordedExchange awaitExchange(int index, Duration timeout) {
        return await(index, timeout, false);
    }

    /** Waits until the {@code index}-th exchange finished: its response fully written, or cancelled. */
    public RecordedExchange awaitCompleted(int index, Duration timeout) {
        return await(index, timeout, true);
    }

    private RecordedExchange await(int index, Duration timeout, boolean finished) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                if (exchanges.size() > index
                        && (!finished || exchanges.get(index).finished())) {
                    return exchanges.get(index).snapshot();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "mock upstream: exchange " + index + (finished ? " did not finish" : " did not arrive")
                                    + " within " + timeout + " (have " + exchanges.size() + ")");
                }
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Responses whose peer closed the connection before the mock finished sending. */
    public int cancelledStreams() {
        return cancelled.get();
    }

    public boolean awaitCancelledStreams(int atLeast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cancelled.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** TCP connections accepted so far (not cleared by {@link #reset()}). */
    public int connectionsAccepted() {
        return connections.get();
    }

    /**
     * Sends a graceful {@code GOAWAY} (no error, last stream id = the last stream the mock saw) on every open HTTP/2
     * connection, and returns once each client has read it (a {@code PING} sent after it was acknowledged): streams
     * already started run to their end, new ones must go to another connection. Returns how many connections were
     * told.
     */
    public int goAway() {
        List<CompletableFuture<Void>> acked = new ArrayList<>();
        for (Channel ch : http2Connections) {
            acked.add(MockProtocols.goAway(ch));
        }
        try {
            CompletableFuture.allOf(acked.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for GOAWAY to be read", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("mock upstream: GOAWAY not acknowledged: " + e, e);
        }
        return acked.size();
    }

    void http2Opened(Channel connection) {
        http2Connections.add(connection);
    }

    void pingReceived() {
        pingsReceived.incrementAndGet();
    }

    /** HTTP/2 {@code PING}s (not acknowledgements) clients sent, over all connections (not cleared by {@link #reset()}). */
    public int pingsReceived() {
        return pingsReceived.get();
    }

    /** HTTP/2 connections open now. */
    public int openHttp2Connections() {
        return (int) http2Connections.stream().filter(Channel::isActive).count();
    }

    /**
     * Stops reading on every open HTTP/2 connection, which stay open: the clients' frames (PINGs among them) go
     * unanswered, as from a server or path that died without closing. Connections opened later are served as usual.
     * Returns how many connections went silent.
     */
    public int mute() {
        int n = 0;
        for (Channel ch : http2Connections) {
            // on the connection's own loop, and waited for: on the epoll transport a change made from another thread
            // lands later, and the client's next frames would still be read
            ch.eventLoop().submit(() -> ch.config().setAutoRead(false)).syncUninterruptibly();
            n++;
        }
        return n;
    }

    /** Response body bytes flushed successfully, all exchanges. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /**
     * Forgets recorded exchanges and counters, including the OAuth counters and issued list
     * ({@link MockOAuth#clearRecords()}); OAuth tokens and switches stay ({@link MockOAuth#reset()} clears them).
     */
    public synchronized void reset() {
        exchanges.clear();
        cancelled.set(0);
        bytesWritten.set(0);
        declaredInput.set(0);
        declaredOutput.set(0);
        answered.set(0);
        events.set(0);
        oauth.clearRecords();
    }

    synchronized void add(Exchange e) {
        if (options.record()) {
            exchanges.add(e);
            notifyAll();
        }
    }

    /** Whether {@code token} is seen for the first time (the {@code x-mock-refuse-stream} header). */
    boolean firstRefusal(String token) {
        return refusals.add(token);
    }

    synchronized void changed() {
        notifyAll();
    }

    void cancelled(Exchange e) {
        if (e.cancelIfOpen()) {
            cancelled.incrementAndGet();
            changed();
        }
    }

    void flushed(long bytes) {
        bytesWritten.addAndGet(bytes);
    }

    /** Counts usage an exchange declared and wrote out (see {@link DeclaredUsage}). */
    void declared(long[] raise) {
        declaredInput.addAndGet(raise[0]);
        declaredOutput.addAndGet(raise[1]);
    }

    void answered() {
        answered.incrementAndGet();
    }

    /** One event of a streamed answer (a script's event, not a flood piece or a fault's tail) was written. */
    void eventWritten() {
        events.incrementAndGet();
    }

    /** {@code n} events of {@code bytes} body bytes in all, declaring {@code raise}, went out in one flush. */
    void eventsWritten(int n, long bytes, long[] raise) {
        events.addAndGet(n);
        bytesWritten.addAndGet(bytes);
        declared(raise);
    }

    /**
     * What the mock answered since its start (or {@link #reset()}), whether it records exchanges or not: model
     * requests answered with a 200 (JSON or stream, cut ones included; errors are not counted), and the input and output tokens their usage objects declared on the wire, counted once the
     * bytes carrying them were written to the socket, and the streamed events written (what the stream harness's CPU
     * per event divides by). Also served as JSON on {@code GET /_mock/usage}.
     */
    public String declaredUsage() {
        return "{\"requests\":" + answered.get() + ",\"input_tokens\":" + declaredInput.get() + ",\"output_tokens\":"
                + declaredOutput.get() + ",\"cancelled_streams\":" + cancelled.get() + ",\"events\":" + events.get()
                + "}";
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
