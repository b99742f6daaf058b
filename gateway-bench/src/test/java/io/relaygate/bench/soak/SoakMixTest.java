package io.relaygate.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakMixTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void onePercentOfFaultsAreStreamsTakingEveryFaultInTurnAndTheRestSplitEvenly() throws Exception {
        SoakMix mix = new SoakMix("claude-sonnet-4-5", 1, 100);
        Map<String, Integer> faults = new HashMap<>();
        Map<SoakMix.Format, Integer> streams = new EnumMap<>(SoakMix.Format.class);
        Map<SoakMix.Format, Integer> whole = new EnumMap<>(SoakMix.Format.class);
        for (long n = 0; n < 12_000; n++) {
            SoakMix.Request r = mix.request(n);
            JsonNode body = json.readTree(r.body());
            assertThat(body.path("stream").asBoolean())
                    .as("the body says what the mix says")
                    .isEqualTo(r.stream());
            if (!r.fault().isEmpty()) {
                faults.merge(r.fault(), 1, Integer::sum);
                assertThat(r.stream()).as("a fault is played on a stream").isTrue();
                assertThat(new String(r.body(), "UTF-8")).contains("mock:" + r.fault());
            } else {
                (r.stream() ? streams : whole).merge(r.format(), 1, Integer::sum);
            }
        }
        assertThat(faults.values().stream().mapToInt(Integer::intValue).sum())
                .as("1 % of 12,000")
                .isEqualTo(120);
        assertThat(faults)
                .as("each fault in turn")
                .containsOnlyKeys(SoakMix.FAULTS)
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(30));
        for (SoakMix.Format f : SoakMix.Format.values()) {
            assertThat(streams.get(f)).as(f + " streams").isBetween(1950, 2000);
            assertThat(whole.get(f)).as(f + " JSON").isBetween(1950, 2000);
        }
    }

    @Test
    void requestsAreTurnsOfTheirSessionsWhoseFirstUserTextNamesTheSession() throws Exception {
        SoakMix mix = new SoakMix("m", 0, 7);
        for (long n = 0; n < 30; n++) {
            SoakMix.Request r = mix.request(n);
            JsonNode body = json.readTree(r.body());
            JsonNode turns = r.format() == SoakMix.Format.RESPONSES ? body.path("input") : body.path("messages");
            assertThat(turns.get(0).path("content").asText()).isEqualTo("soak session " + (n % 7));
            assertThat(turns.get(turns.size() - 1).path("content").asText()).isEqualTo("soak request " + n);
        }
        JsonNode alone = json.readTree(new SoakMix("m", 0, 0).request(5).body());
        assertThat(alone.path("input").size() + alone.path("messages").size())
                .as("no sessions: one user turn")
                .isEqualTo(1);
    }

    @Test
    void noFaultsAtZeroPercentAndNoShareBeyondHalf() {
        SoakMix mix = new SoakMix("m", 0, 0);
        for (long n = 0; n < 1000; n++) {
            assertThat(mix.request(n).fault()).isEmpty();
        }
        assertThatThrownBy(() -> new SoakMix("m", 60, 0)).hasMessageContaining("faultPercent: 60.0");
    }
}
