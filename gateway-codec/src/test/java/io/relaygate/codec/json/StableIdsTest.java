package io.relaygate.codec.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StableIdsTest {

    @Test
    void aShortValueIsKeptAndALongOneBecomesTheSameHashEveryTime() {
        assertThat(StableIds.shortId("session-1", 64)).isEqualTo("session-1");
        String longId = "{\"device_id\":\"" + "d".repeat(80) + "\"}";

        assertThat(StableIds.shortId(longId, 64))
                .as("u_ and 32 hex: the first 16 bytes of SHA-256")
                .matches("u_[0-9a-f]{32}")
                .isEqualTo(StableIds.shortId(longId, 64))
                .isNotEqualTo(StableIds.shortId(longId + "x", 64));
    }

    @Test
    void hash8IsTheFirstFourBytesOfSha256InHex() {
        // SHA-256("abc") = ba7816bf 8f01cfea …
        assertThat(StableIds.hash8("abc")).isEqualTo("ba7816bf");
        assertThat(StableIds.shortId("abc".repeat(30), 10)).startsWith("u_");
    }

    @Test
    void idCharactersDropEverythingButLettersDigitsUnderscoreAndDash() {
        assertThat(StableIds.idCharacters("resp_AB-9/+= .ż")).isEqualTo("resp_AB-9");
    }
}
