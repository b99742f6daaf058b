package io.relaygate.accounts.state;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.Usage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalSharedStateTest extends SharedStateContract {

    private LocalSharedState shared;

    @Override
    SharedState state() {
        // one process: "two instances" on one node are one state object
        if (shared == null) {
            shared = new LocalSharedState();
        }
        return shared;
    }

    @Test
    void durableStateSurvivesASnapshotRoundTripAndPersistenceHearsOfChanges() {
        AtomicInteger changes = new AtomicInteger();
        LocalSharedState s = new LocalSharedState(LocalSharedState.Snapshot.EMPTY, changes::incrementAndGet);
        await(s.record(new UsageRecord("k", "a", "m", UsageCounters.of(new Usage(3, 4, 0, 0), false, 5), T0, null)));
        await(s.setCondition(
                "a", new AccountCondition(AccountCondition.State.OVERLOADED, "529", T0, T0.plusSeconds(30))));
        await(s.markUsed("a", T0));
        AccountQuota quota = new AccountQuota(
                java.util.Map.of(AccountQuota.Window.TOKENS, AccountQuota.Use.of(0.25, T0.plusSeconds(60))), T0);
        await(s.setQuota("a", quota));

        LocalSharedState restored = new LocalSharedState(s.snapshot(), LocalSharedState.Persistence.NONE);

        assertThat(changes.get()).isEqualTo(3);
        assertThat(await(restored.usage(UsageScope.MODEL, Period.TOTAL, T0)))
                .singleElement()
                .satisfies(r -> assertThat(r.counters().outputTokens()).isEqualTo(4));
        assertThat(await(restored.conditions(T0))).containsOnlyKeys("a");
        assertThat(await(restored.lastUsed())).containsEntry("a", T0);
        assertThat(await(restored.quotas())).containsEntry("a", quota);
    }
}
