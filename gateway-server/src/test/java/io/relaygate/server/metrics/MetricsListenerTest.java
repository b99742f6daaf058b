package io.relaygate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsListenerTest {

    @Test
    void theErrorLabelIsAClosedVocabulary() {
        assertThat(MetricsListener.errorLabel(null, 200)).isEqualTo("none");
        assertThat(MetricsListener.errorLabel("rate_limit", 429)).isEqualTo("rate_limit");
        assertThat(MetricsListener.errorLabel("reset", 200))
                .as("an upstream failure mid-stream")
                .isEqualTo("reset");
        assertThat(MetricsListener.errorLabel("upstream_418", 418))
                .as("relayed upstream statuses are grouped by class")
                .isEqualTo("upstream_4xx");
        assertThat(MetricsListener.errorLabel("upstream_503", 503)).isEqualTo("upstream_5xx");
        assertThat(MetricsListener.errorLabel("something new", 500)).isEqualTo("other");
    }

    @Test
    void aCappedLabelGivesTheFirstValuesTheirOwnMetersAndSumsTheRestUnderOther() {
        AtomicInteger created = new AtomicInteger();
        CappedLabel<String> label = new CappedLabel<>(2, v -> {
            created.incrementAndGet();
            return v;
        });
        assertThat(label.get("a")).isEqualTo("a");
        assertThat(label.get("b")).isEqualTo("b");
        assertThat(label.get("c")).as("past the cap").isEqualTo(CappedLabel.OTHER);
        assertThat(label.get("a")).as("known values keep their meters").isEqualTo("a");
        assertThat(label.get(CappedLabel.OTHER)).isEqualTo(CappedLabel.OTHER);
        assertThat(created).as("other, a and b: once each").hasValue(3);
    }
}
