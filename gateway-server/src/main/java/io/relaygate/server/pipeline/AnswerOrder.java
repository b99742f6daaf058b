package io.relaygate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a pipelined connection's answers in request order (RFC 9112 §9.3.2: a server must send its responses in the
 * order the requests came). While ADMIT has an exchange in flight, an answer an earlier stage gives a later request (a
 * 400 from SKIM, a 401 from AUTH, a 404 from ROUTE) waits here, in line with the whole requests ADMIT holds back, and is
 * written when every answer before it was. One per channel, made by ADMIT; used on the channel's event loop only.
 */
public final class AnswerOrder {

    static final AttributeKey<AnswerOrder> KEY = AttributeKey.valueOf(AnswerOrder.class, "answerOrder");

    /** Deferred writes ({@link Runnable}) and requests ({@link ProxyRequest}) in arrival order. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    private boolean busy;

    private AnswerOrder() {}

    /** The channel's order, made on first use. */
    public static AnswerOrder of(Channel channel) {
        AnswerOrder order = channel.attr(KEY).get();
        if (order == null) {
            order = new AnswerOrder();
            channel.attr(KEY).set(order);
        }
        return order;
    }

    /** Runs {@code write} now when no exchange is in flight on {@code channel}, else when its turn comes. */
    static void inOrder(Channel channel, Runnable write) {
        AnswerOrder order = channel.attr(KEY).get();
        if (order != null && order.busy) {
            order.waiting.add(write);
        } else {
            write.run();
        }
    }

    /** Whether an exchange is in flight. */
    public boolean busy() {
        return busy;
    }

    /** ADMIT: an exchange started; answers of later requests wait until {@link #next()}. */
    public void started() {
        busy = true;
    }

    /** ADMIT: how many whole requests wait. */
    public int waitingRequests() {
        int n = 0;
        for (Object o : waiting) {
            n += o instanceof ProxyRequest ? 1 : 0;
        }
        return n;
    }

    /** ADMIT: a whole request that must wait for the exchange in flight; ownership passes to this order. */
    public void enqueue(ProxyRequest request) {
        waiting.add(request);
    }

    /**
     * ADMIT: the exchange in flight ended. Writes the answers that waited up to the next waiting request, which is
     * returned (the caller owns it and starts its exchange), or null when nothing waits any more.
     */
    public @Nullable ProxyRequest next() {
        busy = false;
        Object item;
        while ((item = waiting.poll()) != null) {
            if (item instanceof ProxyRequest request) {
                return request;
            }
            ((Runnable) item).run();
        }
        return null;
    }

    /** ADMIT: the connection closed; the waiting requests, for the caller to release (deferred answers are dropped). */
    public List<ProxyRequest> clear() {
        List<ProxyRequest> requests = new ArrayList<>();
        for (Object o : waiting) {
            if (o instanceof ProxyRequest request) {
                requests.add(request);
            }
        }
        waiting.clear();
        return requests;
    }
}
