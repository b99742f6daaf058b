package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http2PoolTest {

    private final EmbeddedChannel host = new EmbeddedChannel();
    private final EventLoop loop = host.eventLoop();
    private final UpstreamTarget target = new UpstreamTarget(true, "upstream.test", 443, "", null, null);
    private final List<Promise<Channel>> connects = new ArrayList<>();

    private final Http2Pool pool = new Http2Pool(new Http2Pool.Connector() {
        @Override
        public Future<Channel> connect(EventLoop l, UpstreamTarget t, Http2Link.Owner owner) {
            Promise<Channel> p = l.newPromise();
            connects.add(p);
            return p;
        }

        @Override
        public Future<UpstreamConnections.Lease> acquireHttp1(EventLoop l, UpstreamTarget t) {
            throw new AssertionError("not an HTTP/1.1 target");
        }
    });

    private List<Future<UpstreamConnections.Lease>> acquire(int n) {
        List<Future<UpstreamConnections.Lease>> leases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leases.add(pool.acquire(loop, target));
        }
        return leases;
    }

    @Test
    void oneLostConnectFailsOnlyTheLongestWaitingRequestAndTheOthersWaitForTheNextAttempt() {
        List<Future<UpstreamConnections.Lease>> leases = acquire(5);
        assertThat(connects).as("one connection attempt for the burst").hasSize(1);

        connects.get(0).setFailure(new ConnectException("connection reset"));

        assertThat(leases.get(0).isDone() && !leases.get(0).isSuccess()).isTrue();
        assertThat(leases.subList(1, 5)).as("still waiting").allSatisfy(f -> assertThat(f.isDone())
                .isFalse());
        assertThat(connects).as("tried again for the others").hasSize(2);
    }

    @Test
    void twoLostConnectsInARowFailEveryoneWaiting() {
        List<Future<UpstreamConnections.Lease>> leases = acquire(5);
        connects.get(0).setFailure(new ConnectException("connection refused"));
        connects.get(1).setFailure(new ConnectException("connection refused"));

        assertThat(leases)
                .allSatisfy(f -> assertThat(f.isDone() && !f.isSuccess()).isTrue());
        assertThat(connects).as("no attempt for nobody").hasSize(2);
        assertThat(host.finishAndReleaseAll()).isFalse();
    }
}
