package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.KeyRules;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.ModelEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PermittedModelsTest {

    private static KeyRules models(List<String> allowed, List<String> denied) {
        return new KeyRules(
                null, null, null, null, null, null, null, null, allowed, denied, Set.of(), null, null, null);
    }

    private static ModelEntry entry(String name) {
        return Catalogue.shipped().find(name).orElseThrow();
    }

    @Test
    void displayNamesComeFromTheFamilyTheTierAndTheVersionInTheId() {
        assertThat(PermittedModels.displayName(entry("claude-sonnet-5-5"))).isEqualTo("Claude Sonnet 5.5");
        assertThat(PermittedModels.displayName(entry("claude-sonnet-4"))).isEqualTo("Claude Sonnet 4");
    }

    @Test
    void theListIsTheAllowedPatternsOverTheCatalogueLessTheDeniedPlusPlainIds() throws Exception {
        String body = PermittedModels.list(
                models(List.of("claude-sonnet-*", "my-model"), List.of("claude-sonnet-4")), Catalogue.shipped());
        JsonNode list = new ObjectMapper().readTree(body);
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertThat(ids).contains("claude-sonnet-5-5", "my-model").doesNotContain("claude-sonnet-4");
        assertThat(ids).allMatch(id -> id.startsWith("claude-sonnet-") || id.equals("my-model"));
        assertThat(ids).isSorted();
        assertThat(list.path("first_id").asText()).isEqualTo(ids.get(0));
        assertThat(list.path("has_more").asBoolean()).isFalse();
    }

    @Test
    void onlyAKeyWithAModelListIsAnsweredByTheGateway() {
        assertThat(PermittedModels.answersFor(KeyRules.NONE)).isFalse();
        assertThat(PermittedModels.answersFor(models(List.of("claude-*"), List.of())))
                .isTrue();
    }
}
