package io.relaygate.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.CostSpend;
import io.relaygate.core.KeyRules;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpendStandingTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private static KeyRules caps(Double daily, Double weekly, Double total) {
        return new KeyRules(
                null, null, null, null, null, daily, weekly, total, List.of(), List.of(), Set.of(), null, null, null);
    }

    @Test
    void utilizationHasTwoDecimalsRoundedDownAndStaysBelowOneWhileAllowed() {
        assertThat(new SpendStanding("daily", 0, 1_000_000, null).utilization()).isEqualTo("0.00");
        assertThat(new SpendStanding("daily", 829_999, 1_000_000, null).utilization())
                .isEqualTo("0.82");
        assertThat(new SpendStanding("daily", 999_999, 1_000_000, null).utilization())
                .as("never 1.00 while the request is let in")
                .isEqualTo("0.99");
        assertThat(new SpendStanding("daily", 50_000, 1_000_000, null).utilization())
                .isEqualTo("0.05");
        assertThat(new SpendStanding("daily", 100_000, 1_000_000, null).utilization())
                .isEqualTo("0.10");
        assertThat(new SpendStanding("daily", 3_000_000, 1_000_000, null).utilization())
                .isEqualTo("0.99");
        assertThat(new SpendStanding("daily", 1, 0, null).utilization()).isEqualTo("0.99");
    }

    @Test
    void theThresholdsAreNamedOnlyOncePassed() {
        SpendStanding low = new SpendStanding("daily", 749_999, 1_000_000, null);
        SpendStanding warn = new SpendStanding("daily", 750_000, 1_000_000, null);
        SpendStanding high = new SpendStanding("daily", 950_000, 1_000_000, null);

        assertThat(low.surpassedThreshold()).isNull();
        assertThat(low.status()).isEqualTo("allowed");
        assertThat(warn.surpassedThreshold()).isEqualTo("0.75");
        assertThat(warn.status()).isEqualTo("allowed_warning");
        assertThat(high.surpassedThreshold()).isEqualTo("0.95");
        assertThat(UsageLimitHeaders.allowed(low))
                .doesNotContainKey("anthropic-ratelimit-unified-overage-surpassed-threshold");
    }

    @Test
    void theFullestCapIsDescribedAndOnATieTheOneThatResetsLast() {
        KeyRules rules = caps(1.0, 2.0, null);
        List<SpendStanding> all = SpendStanding.of(rules, new CostSpend(500_000, 1_000_000, CostSpend.UNREAD), NOW);

        SpendStanding fullest = SpendStanding.fullest(all);

        assertThat(all).hasSize(2);
        assertThat(fullest).isNotNull();
        assertThat(fullest.period()).as("both at 50 %%: the week resets later").isEqualTo("weekly");
        assertThat(fullest.resetAt()).isEqualTo(Instant.parse("2026-12-14T00:00:00Z"));
        assertThat(SpendStanding.fullest(SpendStanding.of(rules, CostSpend.NONE, NOW)))
                .as("nothing read: nothing to describe")
                .isNull();
    }

    @Test
    void aLifetimeCapIsRefusedWithoutAResetOrPeriod() {
        Map<String, String> h = UsageLimitHeaders.rejected("total", null);

        assertThat(h)
                .containsEntry("anthropic-ratelimit-unified-status", "rejected")
                .containsEntry("x-should-retry", "false")
                .doesNotContainKeys(
                        "anthropic-ratelimit-unified-reset",
                        "anthropic-ratelimit-unified-overage-period",
                        "anthropic-ratelimit-unified-representative-claim");
    }
}
