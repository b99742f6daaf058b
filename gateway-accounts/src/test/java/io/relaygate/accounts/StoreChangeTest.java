package io.relaygate.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoreChangeTest {

    @Test
    void everyKindRoundTripsWithAndWithoutAnId() {
        for (StoreChange.Kind kind : StoreChange.Kind.values()) {
            assertThat(StoreChange.decode(new StoreChange(kind, "id-1").encode()))
                    .isEqualTo(new StoreChange(kind, "id-1"));
            assertThat(StoreChange.decode(new StoreChange(kind, null).encode())).isEqualTo(new StoreChange(kind, null));
        }
        assertThat(StoreChange.key("k1").encode()).isEqualTo("key:k1");
    }

    @Test
    void aMessageOfAnUnknownKindIsReadAsEverythingChanged() {
        assertThat(StoreChange.decode("pricing-v9:xyz")).isEqualTo(new StoreChange(StoreChange.Kind.ALL, null));
        assertThat(StoreChange.decode("garbage")).isEqualTo(new StoreChange(StoreChange.Kind.ALL, null));
    }
}
