package io.relaygate.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.people.Person;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagedSettingsTest {

    private final ObjectMapper json = new ObjectMapper();

    private static Person in(String... groups) {
        return new Person("p1", "alice", null, null, List.of(groups), true, "k1", Instant.EPOCH);
    }

    @Test
    void theCanonicalFormSortsKeysAtEveryLevelWithoutWhitespaceAsJavaScriptWritesIt() throws Exception {
        StringBuilder out = new StringBuilder();
        ManagedSettings.canonical(
                json.readTree("{ \"z\": [ {\"b\": 1.0, \"a\": \"é\\\"\"} ], \"a\": {\"y\": true, \"x\": null} }"), out);
        assertThat(out.toString()).isEqualTo("{\"a\":{\"x\":null,\"y\":true},\"z\":[{\"a\":\"é\\\"\",\"b\":1}]}");
    }

    @Test
    void theChecksumIsSha256OfTheCanonicalFormAndIgnoresKeyOrder() throws Exception {
        String one = ManagedSettings.checksum(json.readTree("{\"model\":\"m\",\"env\":{\"B\":\"2\",\"A\":\"1\"}}"));
        String two = ManagedSettings.checksum(json.readTree("{\"env\":{\"A\":\"1\",\"B\":\"2\"},\"model\":\"m\"}"));
        assertThat(one).isEqualTo(two).startsWith("sha256:").hasSize("sha256:".length() + 64);
        assertThat(ManagedSettings.checksum(json.readTree("{\"model\":\"other\"}")))
                .isNotEqualTo(one);
    }

    @Test
    void aPersonGetsTheirFirstGroupWithSettingsElseEveryonesElseNone() {
        var doc = ManagedSettings.parse("{\"groups\":{\"ops\":{\"a\":1},\"dev\":{\"a\":2},\"*\":{\"a\":3}}}");
        assertThat(ManagedSettings.forPerson(doc, in("dev", "ops"))
                        .orElseThrow()
                        .group())
                .isEqualTo("dev");
        assertThat(ManagedSettings.forPerson(doc, in("qa")).orElseThrow().group())
                .isEqualTo("*");
        var noDefault = ManagedSettings.parse("{\"groups\":{\"ops\":{\"a\":1}}}");
        assertThat(ManagedSettings.forPerson(noDefault, in("qa"))).isEmpty();
        assertThat(ManagedSettings.forPerson(ManagedSettings.parse(null), in("qa")))
                .isEmpty();
        assertThat(ManagedSettings.parse(null).path("groups").isObject())
                .as("no stored document is a document with no groups, ready to be given some")
                .isTrue();
    }

    @Test
    void aDocumentOfTheWrongShapeIsRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> ManagedSettings.parse("[]")).hasMessageContaining("groups");
        assertThatThrownBy(() -> ManagedSettings.parse("{\"groups\":{\"dev\":3}}"))
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> ManagedSettings.parse("{")).hasMessageContaining("not JSON");
    }
}
