package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShapeLogTest {

    @Test
    void theSwitchNamesKeysOrAll() {
        assertThat(ShapeLog.parse(null).covers("alice")).isFalse();
        assertThat(ShapeLog.parse("  ").covers("alice")).isFalse();
        assertThat(ShapeLog.parse("ALL").covers("anyone")).isTrue();
        ShapeLog some = ShapeLog.parse("alice, Bob,");
        assertThat(some.covers("alice")).isTrue();
        assertThat(some.covers("bob"))
                .as("key names compare case-insensitively")
                .isTrue();
        assertThat(some.covers("carol")).isFalse();
    }
}
