package io.relaygate.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/2 upstream connections, a small pool per event loop and target: a request gets a stream on a ready connection
 * that has room under the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}; when every connection is full, one more
 * is opened, and requests arriving meanwhile wait for it (so a burst opens one connection, not one per request). A
 * connection that got {@code GOAWAY} takes no new stream and closes after its last one. A TLS target whose server
 * does not choose {@code h2} by ALPN is remembered as HTTP/1.1 on this loop, and its requests go to the HTTP/1.1
 * pool from then on. Each loop's slots are touched only by that loop.
 */
final class Http2Pool {

    /** How a connection to a target is opened: {@link UpstreamPool} knows proxies and TLS. */
    interface Connector {
        /**
         * A new connection to {@code target} on {@code loop}, ready: an HTTP/2 one carries a {@link Http2Link} made for
         * {@code owner} (its SETTINGS may still be on the way), an HTTP/1.1 one (the server did not choose h2) none.
         */
        Future<Channel> connect(EventLoop loop, UpstreamTarget target, Http2Link.Owner owner);

        /** A connection from the HTTP/1.1 pool, for targets that turned out to speak only HTTP/1.1. */
        Future<UpstreamConnections.Lease> acquireHttp1(EventLoop loop, UpstreamTarget target);
    }

    private final Connector connector;
    private final ConcurrentHashMap<EventLoop, Map<UpstreamTarget, Slot>> slots = new ConcurrentHashMap<>();

    Http2Pool(Connector connector) {
        this.connector = connector;
    }

    /** A stream to {@code target} (or, for a target found to speak HTTP/1.1, a pooled connection). On {@code loop}. */
    Future<UpstreamConnections.Lease> acquire(EventLoop loop, UpstreamTarget target) {
        Slot slot = slots.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(target, t -> new Slot(loop, t));
        if (slot.http1) {
            return connector.acquireHttp1(loop, target);
        }
        Promise<UpstreamConnections.Lease> promise = loop.newPromise();
        slot.waiting.add(promise);
        slot.dispatch();
        return promise;
    }

    /** One loop's connections to one target, and the requests waiting for a stream. */
    private final class Slot implements Http2Link.Owner {
        private final EventLoop loop;
        private final UpstreamTarget target;
        private final List<Http2Link> links = new ArrayList<>(2);
        private final ArrayDeque<Promise<UpstreamConnections.Lease>> waiting = new ArrayDeque<>();
        private boolean opening;
        private boolean http1;
        /** The last connection attempt failed; the next failure, in a row, fails everyone waiting. */
        private boolean failedOnce;

        Slot(EventLoop loop, UpstreamTarget target) {
            this.loop = loop;
            this.target = target;
        }

        @Override
        public void changed(Http2Link link) {
            if (link.gone()) {
                links.remove(link);
            }
            dispatch();
        }

        /** Gives waiting requests streams on links with room; opens one more connection when none has room. */
        void dispatch() {
            while (!waiting.isEmpty()) {
                Promise<UpstreamConnections.Lease> next = waiting.peekFirst();
                if (next.isDone()) { // cancelled while waiting
                    waiting.pollFirst();
                    continue;
                }
                Http2Link link = withRoom();
                if (link == null) {
                    if (!opening) {
                        open();
                    }
                    return;
                }
                waiting.pollFirst();
                stream(link, next);
            }
        }

        private @Nullable Http2Link withRoom() {
            Http2Link best = null;
            for (Http2Link l : links) {
                // the busiest link with room: streams gather on few connections, and idle ones can expire
                if (l.accepts() && (best == null || l.activeStreams() > best.activeStreams())) {
                    best = l;
                }
            }
            return best;
        }

        private void stream(Http2Link link, Promise<UpstreamConnections.Lease> promise) {
            Future<Http2StreamChannel> opened = link.openStream();
            opened.addListener(f -> {
                if (!opened.isSuccess()) {
                    promise.tryFailure(opened.cause());
                } else if (!promise.trySuccess(new UpstreamConnections.Lease(opened.getNow(), false))) {
                    opened.getNow().close();
                }
            });
        }

        private void open() {
            opening = true;
            Future<Channel> connected = connector.connect(loop, target, this);
            connected.addListener(f -> {
                if (!connected.isSuccess()) {
                    opening = false;
                    failWaiting(connected.cause());
                    return;
                }
                Channel ch = connected.getNow();
                Http2Link link = ch.pipeline().get(Http2Link.class);
                if (link == null) {
                    opening = false;
                    speaksHttp1(ch);
                    return;
                }
                link.ready().addListener(r -> {
                    opening = false;
                    if (r.isSuccess()) {
                        failedOnce = false;
                        links.add(link);
                        dispatch();
                    } else {
                        ch.close();
                        failWaiting(r.cause());
                    }
                });
            });
        }

        /** The server chose HTTP/1.1: the first waiting request takes this connection, the others the HTTP/1.1 pool. */
        private void speaksHttp1(Channel ch) {
            http1 = true;
            boolean taken = false;
            while (!waiting.isEmpty()) {
                Promise<UpstreamConnections.Lease> p = waiting.pollFirst();
                if (!taken) {
                    taken = p.trySuccess(new UpstreamConnections.Lease(ch, false));
                } else {
                    Future<UpstreamConnections.Lease> h1 = connector.acquireHttp1(loop, target);
                    h1.addListener(f -> {
                        if (h1.isSuccess()) {
                            if (!p.trySuccess(h1.getNow())) {
                                h1.getNow().channel().close();
                            }
                        } else {
                            p.tryFailure(h1.cause());
                        }
                    });
                }
            }
            if (!taken) {
                ch.close();
            }
        }

        /**
         * A connection attempt that requests were waiting for failed. A first failure fails only the longest-waiting
         * request (as its own connect would have, on HTTP/1.1) and tries once more for the others: one lost connect
         * (a reset, a full backlog) must not fail, and count against the account, every request that was queued
         * behind it. A second failure in a row fails everyone waiting: the server is not there.
         */
        private void failWaiting(Throwable cause) {
            if (!failedOnce) {
                failedOnce = true;
                Promise<UpstreamConnections.Lease> first = waiting.pollFirst();
                if (first != null) {
                    first.tryFailure(cause);
                }
                dispatch();
                return;
            }
            failedOnce = false;
            while (!waiting.isEmpty()) {
                waiting.pollFirst().tryFailure(cause);
            }
        }
    }
}
