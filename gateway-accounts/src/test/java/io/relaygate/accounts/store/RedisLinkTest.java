package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisLinkTest {

    @Test
    void aClusterUrlIsReadAsSeedNodesSharingTheCredentialsAndOptions() {
        List<RedisURI> seeds = RedisLink.clusterSeeds("redis-cluster://:s3cr@t@10.0.0.1:7000,10.0.0.2:7001?timeout=3s");

        assertThat(seeds).hasSize(2);
        assertThat(seeds.get(0).getHost()).isEqualTo("10.0.0.1");
        assertThat(seeds.get(0).getPort()).isEqualTo(7000);
        assertThat(seeds.get(1).getHost()).isEqualTo("10.0.0.2");
        assertThat(seeds.get(1).getPort()).isEqualTo(7001);
        assertThat(seeds)
                .as("the password, '@' included, goes to every seed")
                .allSatisfy(u -> assertThat(new String(u.getCredentialsProvider()
                                .resolveCredentials()
                                .block()
                                .getPassword()))
                        .isEqualTo("s3cr@t"))
                .allSatisfy(u -> assertThat(u.getTimeout()).hasSeconds(3))
                .allSatisfy(u -> assertThat(u.isSsl()).isFalse());
    }

    @Test
    void theTlsClusterSchemeTurnsTlsOnForEverySeed() {
        assertThat(RedisLink.clusterSeeds("rediss-cluster://h1:7000,h2:7000"))
                .allSatisfy(u -> assertThat(u.isSsl()).isTrue());
    }

    @Test
    void otherSchemesAreNotClusters() {
        assertThat(RedisLink.clusterSeeds("redis://127.0.0.1:6379")).isNull();
        assertThat(RedisLink.clusterSeeds("redis-sentinel://127.0.0.1:26379#mymaster"))
                .isNull();
    }

    @Test
    void aSeedWithoutAPortOrAnEmptyListIsRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> RedisLink.clusterSeeds("redis-cluster://h1:7000,h2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'h2'")
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> RedisLink.clusterSeeds("redis-cluster://"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no seed nodes");
    }

    @Test
    void reconnectAttemptsNeverWaitLongerThanTheCap() {
        io.lettuce.core.resource.Delay delay = RedisLink.reconnectDelay();

        assertThat(delay.createDelay(1)).isLessThanOrEqualTo(java.time.Duration.ofMillis(20));
        for (long attempt = 1; attempt <= 64; attempt++) {
            assertThat(delay.createDelay(attempt))
                    .as("attempt %s: Lettuce's default would grow to 30 s", attempt)
                    .isLessThanOrEqualTo(RedisLink.MAX_RECONNECT_DELAY);
        }
        assertThat(RedisLink.MAX_RECONNECT_DELAY).isEqualTo(java.time.Duration.ofMillis(500));
    }
}
