package io.relaygate.core.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.core.Usage;
import io.relaygate.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class CatalogueTest {

    private final Catalogue shipped = Catalogue.shipped();

    @Test
    void theModelsTheClientsUseByDefaultArePricedExactly() {
        for (String m : new String[] {
            "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-2", "gpt-6.2-sol", "gpt-5.5"
        }) {
            assertThat(shipped.quote(m).basis()).as(m).isEqualTo(PriceBasis.EXACT);
        }
        assertThat(shipped.quote("claude-opus-5-5").costMicros(new Usage(1_000_000, 1_000_000, 0, 0)))
                .as("$4 in + $20 out")
                .isEqualTo(24_000_000);
    }

    @Test
    void datedLatestAndPrefixedNamesAreTheSameModel() {
        assertThat(shipped.quote("claude-sonnet-4-5-20250929").pricedAs()).isEqualTo("claude-sonnet-4-5");
        assertThat(shipped.quote("anthropic/claude-opus-5-5").basis()).isEqualTo(PriceBasis.EXACT);
        assertThat(shipped.quote("claude-opus-5-5[1m]").basis()).isEqualTo(PriceBasis.EXACT);
        assertThat(shipped.quote("gpt-5-2025-08-07").pricedAs()).isEqualTo("gpt-5");
        assertThat(shipped.quote("claude-haiku-4-5-latest").pricedAs()).isEqualTo("claude-haiku-4-5");
    }

    @Test
    void anUncataloguedModelOfAKnownFamilyAndTierIsEstimatedAtTheNewestOfThatTier() {
        Quote q = shipped.quote("claude-opus-9-9");
        assertThat(q.basis()).isEqualTo(PriceBasis.ESTIMATED);
        assertThat(q.pricedAs()).isEqualTo("claude-opus-5-5");
        assertThat(shipped.quote("claude-fable-6").pricedAs()).isEqualTo("claude-fable-5-2");
    }

    @Test
    void aLongerNameIsEstimatedAsTheCataloguedModelItExtends() {
        Quote q = shipped.quote("gpt-4o-mini-search-preview");
        assertThat(q.basis()).isEqualTo(PriceBasis.ESTIMATED);
        assertThat(q.pricedAs()).as("the most specific name, not gpt-4o").isEqualTo("gpt-4o-mini");
        assertThat(shipped.quote("gpt-5.5-codex").pricedAs()).isEqualTo("gpt-5.5");
    }

    @Test
    void aShorterStemIsTriedPartByPart() {
        Quote q = shipped.quote("gpt-5.9");
        assertThat(q.basis()).isEqualTo(PriceBasis.ESTIMATED);
        assertThat(q.pricedAs()).as("gpt-5.9 → gpt-5").isEqualTo("gpt-5");
    }

    @Test
    void nothingMatchingIsUnpricedAtTheVendorsHighestPriceNeverZero() {
        Quote q = shipped.quote("gpt-7");
        assertThat(q.basis()).isEqualTo(PriceBasis.UNPRICED);
        assertThat(q.entry()).isNull();
        assertThat(q.fallback().outputPerMTok())
                .as("o1-pro's output, OpenAI's dearest")
                .isEqualTo(600.0);
        assertThat(q.costMicros(new Usage(10, 10, 0, 0))).isPositive();
        Quote unknownVendor = shipped.quote("mystery-model");
        assertThat(unknownVendor.basis()).isEqualTo(PriceBasis.UNPRICED);
        assertThat(unknownVendor.fallback().outputPerMTok())
                .as("the whole catalogue's dearest")
                .isEqualTo(600.0);
    }

    @Test
    void aConfiguredFallbackReplacesTheVendorsHighest() {
        Catalogue c = CatalogueReader.parse(
                "test",
                "{\"as_of\":\"2026-12-06\",\"fallback\":{\"input\":1,\"output\":2},"
                        + "\"models\":{\"m-1\":{\"vendor\":\"v\",\"input\":100,\"output\":100}}}",
                "test");
        assertThat(c.quote("zzz").fallback().outputPerMTok()).isEqualTo(2.0);
        assertThat(c.quote("zzz").costMicros(new Usage(1_000_000, 0, 0, 0))).isEqualTo(1_000_000);
    }

    @Test
    void longContextTariffAppliesToTheWholeRequestAboveTheThreshold() {
        Quote q = shipped.quote("gpt-6.2-sol");
        assertThat(q.costMicros(new Usage(272_000, 1_000, 0, 0)))
                .as("at the threshold: standard")
                .isEqualTo(272_000 * 2 + 1_000 * 10);
        assertThat(q.costMicros(new Usage(272_001, 1_000, 0, 0)))
                .as("above: input x2, output x1.5")
                .isEqualTo(272_001 * 4 + 1_000 * 15);
    }

    @Test
    void tiersMapToSizesFableAmongThem() {
        assertThat(shipped.sizeOf("claude-haiku-5-5")).isEqualTo("small");
        assertThat(shipped.sizeOf("claude-sonnet-9")).isEqualTo("middle");
        assertThat(shipped.sizeOf("claude-opus-5-5")).isEqualTo("big");
        assertThat(shipped.sizeOf("claude-fable-5-2")).isEqualTo("big");
        assertThat(shipped.sizeOf("claude-3-5-haiku-20241022")).isEqualTo("small");
        assertThat(shipped.sizeOf("llama-3.3-70b")).isNull();
        assertThat(shipped.maxOutput("claude-opus-5-5")).contains(128_000L);
    }

    @Test
    void badFilesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> CatalogueReader.parse(
                        "f", "{\"as_of\":\"x\",\"models\":{\"m\":{\"vendor\":\"v\",\"input\":-1,\"output\":1}}}", "t"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.m.input: -1");
        assertThatThrownBy(() -> CatalogueReader.parse("f", "{\"as_of\":\"x\",\"models\":{}}", "t"))
                .hasMessageContaining("models: empty");
        assertThatThrownBy(() -> CatalogueReader.parse(
                        "f",
                        "{\"as_of\":\"x\",\"tier_sizes\":{\"fable\":\"huge\"},"
                                + "\"models\":{\"m\":{\"vendor\":\"v\",\"input\":1,\"output\":1}}}",
                        "t"))
                .hasMessageContaining("tier_sizes.fable: \"huge\"");
        assertThatThrownBy(() -> CatalogueReader.parse("f", "{\"as_of\":", "t")).hasMessageContaining("not valid JSON");
    }

    @Test
    void yamlIsReadAsWell() {
        Catalogue c = CatalogueReader.parse(
                "f.yaml", "as_of: '2026-12-06'\nmodels:\n  m-1: {vendor: v, tier: opus, input: 1, output: 2}\n", "t");
        assertThat(c.find("M-1")).isPresent();
    }

    @Test
    void cloudPlatformIdsAreCatalogueDataWithTheTierAsFallback() {
        assertThat(shipped.platformId(ModelEntry.BEDROCK, "claude-sonnet-4-5-20250929"))
                .contains("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(shipped.platformId(ModelEntry.VERTEX, "claude-haiku-4-5")).contains("claude-haiku-4-5@20251001");
        assertThat(shipped.platformId(ModelEntry.BEDROCK, "claude-opus-5-5"))
                .as("a model the platform does not serve runs as the newest of its tier it serves")
                .contains("anthropic.claude-opus-4-5-20251101-v1:0");
        assertThat(shipped.platformId(ModelEntry.VERTEX, "sonnet")).contains("claude-sonnet-4-5@20250929");
        assertThat(shipped.platformId(ModelEntry.BEDROCK, "gpt-5")).isEmpty();
        assertThat(shipped.cloudBetas()).contains("context-1m-2025-08-07");
    }

    @Test
    void aBedrockOrVertexIdIsPricedExactlyAsItsModel() {
        Quote bedrock = shipped.quote("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(bedrock.basis()).isEqualTo(PriceBasis.EXACT);
        assertThat(bedrock.pricedAs()).isEqualTo("claude-sonnet-4-5");
        assertThat(shipped.quote("anthropic.claude-haiku-4-5-20251001-v1:0").pricedAs())
                .isEqualTo("claude-haiku-4-5");
        assertThat(shipped.quote("claude-opus-4-1@20250805").pricedAs()).isEqualTo("claude-opus-4-1");
    }

    @Test
    void aQuoteIsKeptPerCatalogueSoAnEditedCataloguePricesAfresh() {
        Catalogue mine = CatalogueReader.parse(
                "test", "{\"as_of\":\"2027-01-01\",\"models\":{\"m-1\":{\"input\":1,\"output\":2}}}", "store");
        Quote first = mine.quote("m-1-20270101");
        assertThat(mine.quote("m-1-20270101")).as("kept").isSameAs(first);
        Catalogue edited = mine.with(CatalogueReader.parse(
                "test", "{\"as_of\":\"2027-02-01\",\"models\":{\"m-1\":{\"input\":5,\"output\":9}}}", "store"));
        Usage million = new Usage(0, 1_000_000, 0, 0);
        assertThat(edited.quote("m-1-20270101").costMicros(million))
                .as("the edit's price, not the one kept by the catalogue before it")
                .isEqualTo(9_000_000);
        assertThat(mine.quote("m-1-20270101").costMicros(million)).isEqualTo(2_000_000);
        for (int i = 0; i <= Catalogue.MAX_QUOTED_NAMES; i++) {
            mine.quote("m-1-x" + i);
        }
        assertThat(mine.quote("m-1-past-the-cap").pricedAs())
                .as("past the cap a name is still priced, only not kept")
                .isEqualTo("m-1");
    }

    @Test
    void anOperatorsCatalogueChangesThePlatformIdsAndBetasWithoutABuild() {
        Catalogue overlay = CatalogueReader.parse(
                "test",
                "{\"as_of\":\"2027-01-01\",\"cloud_betas\":[\"new-beta-2027-01-01\"],\"models\":{"
                        + "\"claude-sonnet-4-5\":{\"tier\":\"sonnet\",\"input\":3,\"output\":15,"
                        + "\"bedrock\":\"anthropic.claude-sonnet-4-5-20250929-v2:0\"}}}",
                "store");
        Catalogue c = shipped.with(overlay);
        assertThat(c.platformId(ModelEntry.BEDROCK, "claude-sonnet-4-5"))
                .contains("anthropic.claude-sonnet-4-5-20250929-v2:0");
        assertThat(c.platformId(ModelEntry.VERTEX, "claude-sonnet-4-5"))
                .as("the replaced entry has no vertex id: the newest sonnet Vertex serves stands in")
                .contains("claude-sonnet-4@20250514");
        assertThat(c.cloudBetas()).containsExactly("new-beta-2027-01-01");
        assertThatThrownBy(() -> CatalogueReader.parse(
                        "test",
                        "{\"as_of\":\"x\",\"models\":{\"m\":{\"input\":1,\"output\":1,\"bedrock\":7}}}",
                        "store"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.m.bedrock");
    }
}
