package io.relaygate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadCommandTest {

    @Test
    void parsesAnOpenLoopStreamRun() {
        LoadOptions o = LoadCommand.parse(new String[] {
            "--rate",
            "500",
            "--connections",
            "8",
            "--stream",
            "--events",
            "20",
            "--interval-ms",
            "50",
            "--duration",
            "15s",
            "--warmup",
            "500ms",
            "-H",
            "x-test: 1",
            "--key",
            "rg_k",
            "http://127.0.0.1:3000/v1/messages"
        });
        assertThat(o.openLoop()).isTrue();
        assertThat(o.connectionCount()).isEqualTo(8);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.ramp())
                .as("no ramp in the open loop: the schedule spreads the starts")
                .isZero();
        assertThat(o.events()).isEqualTo(20);
        assertThat(o.headers()).containsExactly(Map.entry("x-test", "1"), Map.entry("x-api-key", "rg_k"));
    }

    @Test
    void closedLoopStreamsRampOverHalfTheWarmup() {
        LoadOptions o = LoadCommand.parse(new String[] {"-c", "100", "--stream", "--warmup", "4s", "http://h:1/"});
        assertThat(o.connectionCount()).isEqualTo(100);
        assertThat(o.ramp()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void h2cMultiplexesTheStreamsOverTheConnectionsGiven() {
        LoadOptions o = LoadCommand.parse(
                new String[] {"-c", "2000", "--stream", "--h2c", "--connections", "4", "http://h:1/v1/messages"});
        assertThat(o.h2c()).isTrue();
        assertThat(o.concurrency()).isEqualTo(2000);
        assertThat(o.connectionCount()).as("streams share 4 connections").isEqualTo(4);
        assertThat(LoadCommand.parse(new String[] {"-c", "8", "http://h:1/"}).h2c())
                .as("HTTP/1.1 unless asked")
                .isFalse();
    }

    @Test
    void rejectsWhatItCannotRun() {
        assertThatThrownBy(() -> LoadCommand.parse(new String[] {"--h2c", "--rate", "10", "http://h:1/"}))
                .hasMessageContaining("h2c: with rate 10.0")
                .hasMessageContaining("expected: the closed loop");
        assertThatThrownBy(() -> LoadCommand.parse(new String[] {"-c", "0", "http://h:1/"}))
                .hasMessageContaining("concurrency: 0 (expected: > 0)");
        assertThatThrownBy(() -> LoadCommand.parse(new String[] {"https://h/"}))
                .hasMessageContaining("expected: http://");
        assertThatThrownBy(() -> LoadCommand.parse(new String[] {"--rate", "x", "http://h:1/"}))
                .hasMessageContaining("not a number");
    }
}
