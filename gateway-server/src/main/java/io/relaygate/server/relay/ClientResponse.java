package io.relaygate.server.relay;

import io.netty.handler.codec.http.HttpContent;
import io.relaygate.core.UpstreamFailure;
import org.jspecify.annotations.Nullable;

/**
 * The client's side of an answer that the upstream started with a success status: relayed as it is
 * ({@link PassthroughResponse}) or converted to the client's format ({@link ConvertedResponse}). Writes to the client
 * channel without flushing (RELAY flushes when a read from the upstream completes). Confined to the event loop.
 */
interface ClientResponse {

    /** What the client was left with when the upstream failed after its head. */
    enum Failure {
        /** Nothing reached the client yet: it gets the gateway's error answer. */
        ANSWER_ERROR,
        /** The stream was ended with an error event; the connection stays usable. */
        STREAM_ENDED,
        /** A half-sent body cannot be completed: the connection must close. */
        CUT,
        /**
         * The stream had reached its final event before the upstream's connection failed (a body short of its end):
         * the client's stream was ended as a whole one, and nothing failed for the client.
         */
        COMPLETE
    }

    /** How the upstream's answer ended, once {@link #content} saw its last part. */
    enum Ending {
        /** The stream reached its final event (or the answer is whole): the client's answer is complete. */
        COMPLETE,
        /** The stream ended with the upstream's own error event, which the client got in its format. */
        UPSTREAM_ERROR,
        /**
         * The upstream's body ended before the stream's final event: the client's stream is still open and must be
         * ended by {@link #failMidStream}.
         */
        TRUNCATED
    }

    /**
     * Takes ownership of {@code content}; returns true when the upstream's answer is over (its usage is final), and
     * then {@link #ending} says how.
     */
    boolean content(HttpContent content);

    /** How the answer ended; only after {@link #content} returned true. */
    Ending ending();

    /** The upstream's error, when the answer ended with {@link Ending#UPSTREAM_ERROR}. */
    @Nullable
    String upstreamError();

    /** The upstream failed after its head: ends what can be ended well-formed. */
    Failure failMidStream(UpstreamFailure failure, String message);

    /** The client went away: the usage seen so far becomes final. */
    void cancelled();

    /** Stops timers and drops buffered data; called once, after the exchange's outcome was reported. */
    void release();
}
