package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RepeatedFailuresTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final RepeatedFailures failures = new RepeatedFailures(nanos::get);

    @Test
    void theFirstFailureOfAMinuteIsLoggedTheRestCountedAndSummarizedNextTime() {
        assertThat(failures.failure("10.0.0.1")).isEqualTo(new RepeatedFailures.Verdict(true, 0));
        for (int i = 0; i < 41; i++) {
            nanos.addAndGet(1_000_000_000L);
            assertThat(failures.failure("10.0.0.1").log()).isFalse();
        }
        assertThat(failures.failure("10.0.0.2").log())
                .as("another address has its own window")
                .isTrue();

        nanos.addAndGet(RepeatedFailures.WINDOW_NANOS);

        assertThat(failures.failure("10.0.0.1")).isEqualTo(new RepeatedFailures.Verdict(true, 41));
        assertThat(failures.failure("10.0.0.1").log()).isFalse();
    }

    @Test
    void theHostWithoutThePortNamesTheClient() {
        assertThat(ClientAddress.host(new InetSocketAddress("127.0.0.1", 51234)))
                .isEqualTo("127.0.0.1");
        assertThat(ClientAddress.host(null)).isEqualTo("null");
    }
}
