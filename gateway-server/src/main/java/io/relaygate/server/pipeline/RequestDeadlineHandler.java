package io.relaygate.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.relaygate.core.Durations;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.WireFormat;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REQUEST_DEADLINE: bounds the time a whole request takes to arrive, however steadily its bytes come. The idle timeout
 * only cuts a connection that sends nothing; a slowloris client sending a byte now and then would hold a connection
 * (and a partial head or body) for ever. The head has {@code server.requestHeadTimeout} from its first byte (seen by
 * {@link #start()}, placed before HTTP_CODEC) until HTTP_CODEC decodes it; the body has
 * {@code server.requestBodyTimeout} from there until its last content. Past either, the client gets a 408 (the head's
 * in the gateway's default Anthropic shape, since the route is not known yet; the body's in the route's format), the
 * connection closes, and nothing more of that request goes down the pipeline. When a response is being written (a
 * pipelined request trickling in under a stream), the connection closes without a 408, which would corrupt it.
 *
 * <p>One timer per connection, not one per request: a request moves the deadline (a field), and the timer, when it
 * fires, either finds the deadline passed or sets itself again for the time left (as netty's {@code IdleStateHandler}
 * does). Between requests it is left to run out, so a connection with requests back to back sets it about once per
 * {@code requestHeadTimeout}, not twice per request (each a task queued, and a cancel that leaves it in the queue
 * until it is due).
 *
 * <p>Per-connection state; placed right after HTTP_CODEC. Releases what it drops after a deadline.
 */
public final class RequestDeadlineHandler extends ChannelDuplexHandler {

    private static final Logger logger = LoggerFactory.getLogger(RequestDeadlineHandler.class);

    private enum State {
        /** Between requests: the next byte starts a head. */
        IDLE,
        HEAD,
        BODY,
        /** A deadline passed: the connection is closing, inbound messages are dropped. */
        EXPIRED
    }

    private final long headNanos;
    private final long bodyNanos;
    private final Duration head;
    private final Duration body;
    private State state = State.IDLE;
    private @Nullable ScheduledFuture<?> timer;
    /** When the current head or body is due, on the event loop's ticker (meaningful in HEAD and BODY). */
    private long deadline;
    /** When {@link #timer} fires, on the same ticker. */
    private long timerAt;

    private @Nullable ChannelHandlerContext ctx;
    private WireFormat format = WireFormat.ANTHROPIC;
    /** A response head went out and its last content not yet. */
    private boolean responding;

    public RequestDeadlineHandler(Duration head, Duration body) {
        this.head = head;
        this.body = body;
        this.headNanos = head.toNanos();
        this.bodyNanos = body.toNanos();
    }

    /** The handler to place before HTTP_CODEC: it sees the first raw byte of each request head. */
    public ChannelInboundHandlerAdapter start() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (state == State.IDLE && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                    state = State.HEAD;
                    due(headNanos);
                }
                c.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.EXPIRED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            format = formatOf(((HttpRequest) msg).uri());
            state = State.BODY;
            due(bodyNanos);
        }
        if (msg instanceof LastHttpContent) {
            // the timer is left to run out: the next head most likely comes before it fires
            state = State.IDLE;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse) {
            responding = true;
        }
        if (msg instanceof LastHttpContent) {
            responding = false;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    /** Moves the deadline to {@code nanos} from now; sets the timer only if none would fire by then. */
    private void due(long nanos) {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            return;
        }
        deadline = c.executor().ticker().nanoTime() + nanos;
        if (timer != null && timerAt - deadline <= 0) {
            return;
        }
        cancel();
        schedule(c, nanos);
    }

    private void schedule(ChannelHandlerContext c, long nanos) {
        timerAt = deadline;
        timer = c.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        ChannelHandlerContext c = ctx;
        if (c == null || (state != State.HEAD && state != State.BODY)) {
            return;
        }
        long left = deadline - c.executor().ticker().nanoTime();
        if (left > 0) {
            // set for an earlier request: this one has until its own deadline
            schedule(c, left);
            return;
        }
        boolean inHead = state == State.HEAD;
        state = State.EXPIRED;
        String message = inHead
                ? "request head not received within " + Durations.format(head)
                : "request body not received within " + Durations.format(body);
        logger.debug("[{}] {}: closing", c.channel().id(), message);
        if (responding) {
            c.close();
            return;
        }
        ErrorResponder.sendNow(
                c,
                ErrorAnswer.of(inHead ? WireFormat.ANTHROPIC : format, ErrorKind.REQUEST_TIMEOUT, message)
                        .closing(true));
    }

    /** The error format of a request to {@code uri}: OpenAI's for its routes, Anthropic's otherwise. */
    static WireFormat formatOf(String uri) {
        int query = uri.indexOf('?');
        int end = query < 0 ? uri.length() : query;
        if (endsWith(uri, end, "/chat/completions")) {
            return WireFormat.OPENAI_CHAT;
        }
        if (endsWith(uri, end, "/responses")) {
            return WireFormat.OPENAI_RESPONSES;
        }
        return WireFormat.ANTHROPIC;
    }

    /** Whether {@code uri} up to {@code end} ends with {@code suffix}, without cutting the path out. */
    private static boolean endsWith(String uri, int end, String suffix) {
        return end >= suffix.length() && uri.regionMatches(end - suffix.length(), suffix, 0, suffix.length());
    }
}
