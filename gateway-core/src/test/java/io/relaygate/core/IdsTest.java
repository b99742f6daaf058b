package io.relaygate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void bothGeneratorsGiveDistinctIdsOfTheAlphabetAndLength() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String unique = Ids.unique(20);
            String random = Ids.random(20);
            assertThat(unique).matches("[a-zA-Z0-9]{20}");
            assertThat(random).matches("[a-zA-Z0-9]{20}");
            assertThat(seen.add(unique)).isTrue();
            assertThat(seen.add(random)).isTrue();
        }
        assertThatThrownBy(() -> Ids.unique(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
