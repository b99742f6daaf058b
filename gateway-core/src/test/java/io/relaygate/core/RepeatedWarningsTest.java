package io.relaygate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RepeatedWarningsTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final RepeatedWarnings warnings = new RepeatedWarnings(
            LoggerFactory.getLogger(RepeatedWarningsTest.class), Duration.ofSeconds(10), nanos::get);

    @Test
    void logsTheFirstOfAnIntervalAndCountsTheRest() {
        assertThat(warnings.warn("store", "store away")).as("first of its kind").isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(warnings.warn("store", "store away")).isFalse();
        }
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(warnings.take("store"))
                .as("the next line says how many were held back")
                .isEqualTo(1000);
        assertThat(warnings.take("store")).as("within the new interval").isEqualTo(-1);
    }

    @Test
    void kindsAreLimitedApart() {
        assertThat(warnings.warn("admission", "a")).isTrue();
        assertThat(warnings.warn("usage", "b"))
                .as("another kind has its own interval")
                .isTrue();
        assertThat(warnings.warn("admission", "a")).isFalse();
    }
}
