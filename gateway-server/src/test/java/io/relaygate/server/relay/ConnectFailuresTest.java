package io.relaygate.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.util.internal.OutOfDirectMemoryError;
import io.relaygate.core.UpstreamFailure;
import java.lang.reflect.Constructor;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectFailuresTest {

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void theNetworksFailuresTakeTheAccountOutAndOursNever() throws Exception {
        assertThat(ConnectFailures.classify(new ConnectException("refused"), loop))
                .isEqualTo(UpstreamFailure.CONNECT_FAILED);
        assertThat(ConnectFailures.classify(new ConnectTimeoutException("timed out"), loop))
                .isEqualTo(UpstreamFailure.CONNECT_TIMEOUT);

        assertThat(ConnectFailures.classify(new OutOfMemoryError("Java heap space"), loop))
                .as("out of heap is ours")
                .isEqualTo(UpstreamFailure.GATEWAY_FAULT);
        assertThat(ConnectFailures.classify(new CompletionException(directMemoryError()), loop))
                .as("out of direct memory, wrapped, is ours")
                .isEqualTo(UpstreamFailure.GATEWAY_FAULT);
        assertThat(ConnectFailures.classify(
                        new IllegalStateException("wrapper", new RejectedExecutionException("event loop shut down")),
                        loop))
                .isEqualTo(UpstreamFailure.GATEWAY_STOPPING);
        assertThat(ConnectFailures.classify(new CompletionException(new RejectedExecutionException("x")), loop))
                .as("a refused task, wrapped")
                .isEqualTo(UpstreamFailure.GATEWAY_STOPPING);

        for (UpstreamFailure ours :
                new UpstreamFailure[] {UpstreamFailure.GATEWAY_FAULT, UpstreamFailure.GATEWAY_STOPPING}) {
            assertThat(ours.coolDown())
                    .as("%s records nothing against the account", ours)
                    .isEqualTo(UpstreamFailure.CoolDown.NONE);
            assertThat(ours.retryable())
                    .as("%s would fail the same on the next account", ours)
                    .isFalse();
        }
    }

    @Test
    void aConnectFailureOnAStoppingLoopIsTheGatewayStopping() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);

        assertThat(ConnectFailures.classify(new ConnectException("refused"), loop))
                .isEqualTo(UpstreamFailure.GATEWAY_STOPPING);
    }

    /** Netty's error for a failed direct allocation; its constructor is package-private. */
    private static OutOfMemoryError directMemoryError() throws Exception {
        Constructor<OutOfDirectMemoryError> c = OutOfDirectMemoryError.class.getDeclaredConstructor(String.class);
        c.setAccessible(true);
        return c.newInstance("failed to allocate 16777216 byte(s) of direct memory");
    }
}
