package io.relaygate.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.core.Usage;
import io.relaygate.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {

    private static final PriceTable SHIPPED = PriceTable.shipped();

    @TempDir
    Path dir;

    private static ModelPrice shipped(String name) {
        ModelPrice price = SHIPPED.models().get(name);
        assertThat(price).as("shipped entry %s", name).isNotNull();
        return price;
    }

    @Test
    void shippedListIsLoadedOnceAndCoversTheAdvertisedModels() {
        assertThat(PriceTable.shipped()).isSameAs(SHIPPED);
        assertThat(SHIPPED.models())
                .containsKeys(
                        "claude-opus-4-5",
                        "claude-opus-4-1",
                        "claude-opus-4",
                        "claude-sonnet-4-5",
                        "claude-sonnet-4",
                        "claude-3-7-sonnet",
                        "claude-haiku-4-5",
                        "claude-3-5-haiku",
                        "claude-3-haiku",
                        "gpt-5",
                        "gpt-5-mini",
                        "gpt-5-nano",
                        "gpt-5-codex",
                        "gpt-5.1",
                        "gpt-5.1-codex",
                        "gpt-4.1",
                        "gpt-4.1-mini",
                        "gpt-4.1-nano",
                        "gpt-4o",
                        "gpt-4o-mini",
                        "o3",
                        "o4-mini",
                        "o1",
                        "deepseek-chat",
                        "deepseek-reasoner",
                        "kimi-k2",
                        "glm-4.6");
        assertThat(shipped("claude-sonnet-4-5")).isEqualTo(new ModelPrice(3.0, 15.0, 3.75, 0.30));
        assertThat(shipped("gpt-4o")).isEqualTo(new ModelPrice(2.5, 10.0, 2.5, 1.25));
    }

    @Test
    void everyShippedEntryIsPlausible() {
        assertThat(SHIPPED.models()).isNotEmpty();
        SHIPPED.models().forEach((name, p) -> {
            assertThat(name).as("names are stored lower-case").isEqualTo(name.toLowerCase(Locale.ROOT));
            assertThat(p.outputPerMTok()).as("%s output >= input", name).isGreaterThanOrEqualTo(p.inputPerMTok());
            assertThat(p.cacheReadPerMTok()).as("%s cache_read <= input", name).isLessThanOrEqualTo(p.inputPerMTok());
            assertThat(p.cacheWritePerMTok())
                    .as("%s cache_write >= input", name)
                    .isGreaterThanOrEqualTo(p.inputPerMTok());
        });
    }

    @Test
    void exactAndCaseInsensitiveNamesMatch() {
        assertThat(SHIPPED.find("claude-sonnet-4-5")).contains(shipped("claude-sonnet-4-5"));
        assertThat(SHIPPED.find("Claude-Sonnet-4-5")).contains(shipped("claude-sonnet-4-5"));
        assertThat(SHIPPED.find("GPT-4O-MINI")).contains(shipped("gpt-4o-mini"));
    }

    @Test
    void providerPrefixDateSuffixAndLatestAreIgnored() {
        assertThat(SHIPPED.find("claude-sonnet-4-5-20250929")).contains(shipped("claude-sonnet-4-5"));
        assertThat(SHIPPED.find("anthropic/claude-sonnet-4-5-20250929")).contains(shipped("claude-sonnet-4-5"));
        assertThat(SHIPPED.find("claude-sonnet-4-5@20250929"))
                .as("Vertex AI form")
                .contains(shipped("claude-sonnet-4-5"));
        assertThat(SHIPPED.find("claude-3-5-haiku-latest")).contains(shipped("claude-3-5-haiku"));
        assertThat(SHIPPED.find("claude-3-haiku-20240307")).contains(shipped("claude-3-haiku"));
        assertThat(SHIPPED.find("gpt-5-2025-08-07")).contains(shipped("gpt-5"));
        assertThat(SHIPPED.find("openai/gpt-5-mini-2025-08-07")).contains(shipped("gpt-5-mini"));
        assertThat(SHIPPED.find("o3-2025-04-16")).contains(shipped("o3"));
        assertThat(PriceTable.normalise("anthropic/claude-opus-4-1-20250805")).isEqualTo("claude-opus-4-1");
    }

    @Test
    void longestShippedPrefixFollowedByDashWins() {
        assertThat(SHIPPED.find("claude-sonnet-4-5-thinking")).contains(shipped("claude-sonnet-4-5"));
        assertThat(SHIPPED.find("claude-opus-4-0")).contains(shipped("claude-opus-4"));
        assertThat(SHIPPED.find("meta-llama/Llama-3.3-70B-Instruct-Turbo")).contains(shipped("llama-3.3-70b"));
        assertThat(SHIPPED.find("qwen3-235b-a22b-instruct-2507")).contains(shipped("qwen3-235b-a22b"));
        assertThat(SHIPPED.find("kimi-k2-0905-preview")).contains(shipped("kimi-k2"));
        assertThat(SHIPPED.find("kimi-k2-turbo-preview")).contains(shipped("kimi-k2-turbo"));
    }

    @Test
    void gpt4oAndGpt4oMiniNeverTakeEachOthersPrice() {
        ModelPrice big = shipped("gpt-4o");
        ModelPrice mini = shipped("gpt-4o-mini");
        assertThat(big).isNotEqualTo(mini);
        assertThat(SHIPPED.find("gpt-4o")).contains(big);
        assertThat(SHIPPED.find("gpt-4o-2024-08-06")).contains(big);
        assertThat(SHIPPED.find("gpt-4o-audio-preview")).contains(big);
        assertThat(SHIPPED.find("gpt-4o-mini")).contains(mini);
        assertThat(SHIPPED.find("gpt-4o-mini-2024-07-18")).contains(mini);
        assertThat(SHIPPED.find("gpt-4o-mini-search-preview")).contains(mini);
        assertThat(SHIPPED.find("gpt-4omni")).as("a prefix must end at a dash").isEmpty();
    }

    @Test
    void unknownModelsCostNothingAndSaySo() {
        Usage usage = new Usage(1_000_000, 1_000_000, 0, 0);
        for (String model : List.of("totally-unknown", "", "gpt-9", "my-finetune", "gpt-5.9")) {
            assertThat(SHIPPED.isKnown(model)).as(model).isFalse();
            assertThat(SHIPPED.find(model)).as(model).isEmpty();
            assertThat(SHIPPED.costMicros(model, usage)).as(model).isZero();
        }
        assertThat(SHIPPED.isKnown("claude-sonnet-4-5-20250929")).isTrue();
    }

    @Test
    void costIsPricePerMTokTimesTokensInMicroUsd() {
        assertThat(SHIPPED.costMicros("claude-sonnet-4-5", new Usage(1_000_000, 0, 0, 0)))
                .as("1M input at $3/MTok = $3")
                .isEqualTo(3_000_000L);
        assertThat(SHIPPED.costMicros("claude-sonnet-4-5", Usage.ZERO)).isZero();
        // 1,234 x 3 + 567 x 15 + 10,000 x 3.75 + 200,000 x 0.30 = 3,702 + 8,505 + 37,500 + 60,000
        assertThat(SHIPPED.costMicros("claude-sonnet-4-5-20250929", new Usage(1_234, 567, 10_000, 200_000)))
                .isEqualTo(109_707L);
        // Opus 4.5: 10 x 5 + 3 x 25 + 4 x 6.25 + 7 x 0.50 = 50 + 75 + 25 + 3.5 = 153.5, half-up to 154
        assertThat(SHIPPED.costMicros("claude-opus-4-5", new Usage(10, 3, 4, 7)))
                .isEqualTo(154L);
    }

    @Test
    void roundingIsHalfUpOnceOnTheExactSum() {
        // 0.005 x 100 = 0.5 exactly, half-up to 1; a binary double product could land on 0.49999...
        assertThat(SHIPPED.costMicros("gpt-5-nano", new Usage(0, 0, 0, 100))).isEqualTo(1L);
        assertThat(SHIPPED.costMicros("gpt-5-nano", new Usage(0, 0, 0, 99))).isZero();
        // 0.05 x 5 + 0.005 x 50 = 0.25 + 0.25 = 0.5 -> 1; rounding each part first would give 0
        assertThat(SHIPPED.costMicros("gpt-5-nano", new Usage(5, 0, 0, 50))).isEqualTo(1L);
        // o4-mini cache read 0.275 x 3 = 0.825 -> 1
        assertThat(SHIPPED.costMicros("o4-mini", new Usage(0, 0, 0, 3))).isEqualTo(1L);
    }

    @Test
    void yamlOverrideReplacesOneModelAndAddsOneWhileOthersStayShipped() throws Exception {
        Path file = dir.resolve("prices.yaml");
        Files.writeString(file, """
                as_of: "2026-12-01"
                models:
                  gpt-4o:
                    input: 2
                    output: 8
                    cache_read: 1
                  local-coder:
                    input: 0
                    output: 0
                """);
        PriceTable table = PriceTable.load(file);
        assertThat(table.find("gpt-4o-2024-08-06"))
                .as("cache_write defaults to input")
                .contains(new ModelPrice(2, 8, 2, 1));
        assertThat(table.find("gpt-4o-mini")).as("untouched neighbour").contains(shipped("gpt-4o-mini"));
        assertThat(table.find("claude-sonnet-4-5")).contains(shipped("claude-sonnet-4-5"));
        assertThat(table.isKnown("local-coder")).isTrue();
        assertThat(table.costMicros("local-coder", new Usage(5_000, 5_000, 0, 0)))
                .isZero();
        assertThat(table.models()).hasSize(SHIPPED.models().size() + 1);
        assertThat(SHIPPED.find("gpt-4o"))
                .as("the shipped table is not mutated")
                .contains(shipped("gpt-4o"));
    }

    @Test
    void jsonOverrideReplacesOneModelAndAddsOneWhileOthersStayShipped() throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"models": {
                  "Claude-Sonnet-4-5": {"input": 2.5, "output": 12.5, "cache_write": 3.125, "cache_read": 0.25},
                  "acme-70b": {"input": 0.9, "output": 0.9}
                }}
                """);
        PriceTable table = PriceTable.load(file);
        assertThat(table.find("anthropic/claude-sonnet-4-5-20250929"))
                .as("override names are case-insensitive too")
                .contains(new ModelPrice(2.5, 12.5, 3.125, 0.25));
        assertThat(table.costMicros("claude-sonnet-4-5", new Usage(1_000_000, 0, 0, 0)))
                .isEqualTo(2_500_000L);
        assertThat(table.find("acme-70b-instruct")).contains(new ModelPrice(0.9, 0.9, 0.9, 0.9));
        assertThat(table.find("claude-opus-4-5")).contains(shipped("claude-opus-4-5"));
        assertThat(table.find("gpt-4o")).contains(shipped("gpt-4o"));
    }

    @Test
    void malformedOverrideFailsWithTheFileAndTheProblemNamed() throws Exception {
        Map<String, String> cases = Map.of(
                "syntax.json", "{\"models\": {\"gpt-4o\": {\"input\": 1,}}}",
                "negative.yaml", "models:\n  gpt-4o:\n    input: -1\n    output: 8\n",
                "typo.yml", "models:\n  gpt-4o:\n    input: 1\n    ouput: 8\n",
                "text.json", "{\"models\": {\"gpt-4o\": {\"input\": \"cheap\", \"output\": 8}}}",
                "missing.yaml", "models:\n  gpt-4o:\n    input: 1\n",
                "nomodels.json", "{\"as_of\": \"today\"}",
                "empty.yaml", "",
                "dup.json",
                        "{\"models\": {\"a\": {\"input\": 1, \"output\": 1}, \"a\": {\"input\": 2, \"output\": 2}}}");
        Map<String, String> expected = Map.of(
                "syntax.json", "not valid JSON",
                "negative.yaml", "models.gpt-4o.input: -1 (expected: a finite number >= 0)",
                "typo.yml", "models.gpt-4o.ouput: unknown key",
                "text.json", "models.gpt-4o.input: \"cheap\" (expected: a number",
                "missing.yaml", "models.gpt-4o.output: missing",
                "nomodels.json", "models: missing",
                "empty.yaml", "(expected: a mapping with a models key)",
                "dup.json", "Duplicate field 'a'");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = dir.resolve(c.getKey());
            Files.writeString(file, c.getValue());
            assertThatThrownBy(() -> PriceTable.load(file))
                    .as(c.getKey())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("pricing file " + file + ": ")
                    .hasMessageContaining(expected.get(c.getKey()));
        }
    }

    @Test
    void overrideFileMustExistAndHaveAKnownExtension() throws Exception {
        Path absent = dir.resolve("absent.json");
        assertThatThrownBy(() -> PriceTable.load(absent))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(absent.toString())
                .hasMessageContaining("not found");
        Path toml = dir.resolve("prices.toml");
        Files.writeString(toml, "[models]\n");
        assertThatThrownBy(() -> PriceTable.load(toml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(toml.toString())
                .hasMessageContaining("expected: a .json, .yaml or .yml file");
    }

    @Test
    void modelPriceRejectsNegativeAndNonFiniteValues() {
        assertThatThrownBy(() -> new ModelPrice(-0.01, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputPerMTok: -0.01 (expected: a finite number >= 0)");
        assertThatThrownBy(() -> new ModelPrice(1, Double.NaN, 1, 1)).hasMessageContaining("outputPerMTok: NaN");
        assertThatThrownBy(() -> new ModelPrice(1, 1, Double.POSITIVE_INFINITY, 1))
                .hasMessageContaining("cacheWritePerMTok: Infinity");
        assertThatThrownBy(() -> new ModelPrice(1, 1, 1, -1)).hasMessageContaining("cacheReadPerMTok: -1.0");
        assertThat(new ModelPrice(0, 0, 0, 0).costMicros(new Usage(9, 9, 9, 9))).isZero();
    }
}
