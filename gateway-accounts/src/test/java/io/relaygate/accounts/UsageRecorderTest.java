package io.relaygate.accounts;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.Admission;
import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.LocalSharedState;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UsageRecorderTest {

    private static final Instant AT = Instant.parse("2026-08-09T10:11:12Z");

    /** The real in-process state, counting the record calls that reach it. */
    private static final class Counting implements SharedState {
        final LocalSharedState real = new LocalSharedState();
        final AtomicInteger records = new AtomicInteger();
        final AtomicInteger spends = new AtomicInteger();
        /** Usage writes fail (a store that times out on the big usage backlog); leases still go through. */
        volatile boolean usageFails;

        @Override
        public CompletionStage<Void> record(UsageRecord r, java.util.Set<UsageScope> scopes) {
            records.incrementAndGet();
            return usageFails
                    ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("down"))
                    : real.record(r, scopes);
        }

        @Override
        public CompletionStage<Void> spend(UsageRecord r) {
            spends.incrementAndGet();
            return usageFails
                    ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("down"))
                    : real.spend(r);
        }

        @Override
        public CompletionStage<Void> record(
                UsageRecord r, java.util.Set<UsageScope> scopes, io.relaygate.accounts.state.WriteId id) {
            records.incrementAndGet();
            return real.record(r, scopes, id);
        }

        @Override
        public CompletionStage<Void> spend(UsageRecord r, io.relaygate.accounts.state.WriteId id) {
            spends.incrementAndGet();
            return real.spend(r, id);
        }

        @Override
        public CompletionStage<Long> releaseAll(String keyId) {
            return real.releaseAll(keyId);
        }

        @Override
        public CompletionStage<Admission> admit(AdmissionRequest request) {
            return real.admit(request);
        }

        @Override
        public CompletionStage<Void> renew(String keyId, String leaseId, Instant until) {
            return real.renew(keyId, leaseId, until);
        }

        @Override
        public CompletionStage<Void> release(String keyId, String leaseId) {
            return real.release(keyId, leaseId);
        }

        @Override
        public CompletionStage<Void> stick(String k, String s, String a, Instant now, Duration ttl) {
            return real.stick(k, s, a, now, ttl);
        }

        @Override
        public CompletionStage<Void> setCondition(String accountId, AccountCondition condition) {
            return real.setCondition(accountId, condition);
        }

        @Override
        public CompletionStage<Void> clearCondition(String accountId) {
            return real.clearCondition(accountId);
        }

        @Override
        public CompletionStage<Map<String, AccountCondition>> conditions(Instant now) {
            return real.conditions(now);
        }

        @Override
        public CompletionStage<io.relaygate.accounts.state.TrialClaim> claimTrial(
                String accountId, String claimId, Instant now, java.time.Duration ttl) {
            return real.claimTrial(accountId, claimId, now, ttl);
        }

        @Override
        public CompletionStage<Void> releaseTrial(String accountId, String claimId) {
            return real.releaseTrial(accountId, claimId);
        }

        @Override
        public CompletionStage<Void> markUsed(String accountId, Instant at) {
            return real.markUsed(accountId, at);
        }

        @Override
        public CompletionStage<Map<String, Instant>> lastUsed() {
            return real.lastUsed();
        }

        @Override
        public CompletionStage<Void> setQuota(String accountId, AccountQuota quota) {
            return real.setQuota(accountId, quota);
        }

        @Override
        public CompletionStage<Map<String, AccountQuota>> quotas() {
            return real.quotas();
        }

        @Override
        public CompletionStage<List<UsageRow>> usage(UsageScope scope, Period period, Instant at) {
            return real.usage(scope, period, at);
        }

        @Override
        public void close() {}
    }

    private static UsageRecord record(boolean immediate) {
        return new UsageRecord("k", "a", "m", UsageCounters.of(new Usage(10, 1, 0, 0), false, 7), AT, null, immediate);
    }

    private static UsageCounters keyTotal(SharedState s) {
        List<UsageRow> rows = await(s.usage(UsageScope.KEY, Period.TOTAL, AT));
        return rows.isEmpty() ? UsageCounters.ZERO : rows.get(0).counters();
    }

    @Test
    void recordsOfOneKeyAccountModelAndHourAreSummedIntoOneWrite() {
        Counting state = new Counting();
        UsageRecorder recorder = new UsageRecorder(state, Duration.ofSeconds(1), 1000, Duration.ofHours(1));
        for (int i = 0; i < 500; i++) {
            recorder.record(record(false));
        }
        assertThat(state.records.get())
                .as("nothing written before the batch is due")
                .isZero();

        recorder.close();

        assertThat(state.records.get()).isEqualTo(1);
        assertThat(keyTotal(state)).isEqualTo(new UsageCounters(500, 0, 5000, 500, 0, 0, 3500));
    }

    @Test
    void leasesAreGivenBackAtOnceEvenWhileUsageWaitsForTheStore() {
        Counting state = new Counting();
        Duration hour = Duration.ofHours(1);
        io.relaygate.core.KeyRules rules = new io.relaygate.core.KeyRules(
                1,
                null,
                null,
                1000L,
                hour,
                null,
                null,
                null,
                List.of(),
                List.of(),
                java.util.Set.of(),
                null,
                null,
                null);
        Duration ttl = Duration.ofMinutes(5);
        UsageRecorder recorder = new UsageRecorder(state, Duration.ofHours(1), 1000, Duration.ofHours(1));
        state.usageFails = true;
        for (int i = 0; i < 3; i++) {
            String lease = "l" + i;
            assertThat(await(state.admit(new AdmissionRequest("k", rules, lease, ttl, AT, null, ttl)))
                            .admitted())
                    .as("request %d admitted: the previous one's lease came back although its usage waits", i)
                    .isTrue();
            recorder.record(new UsageRecord(
                    "k", "a", "m", UsageCounters.of(new Usage(10, 1, 0, 0), false, 7), AT, hour, true, lease));
        }
        assertThat(recorder.waiting()).as("the spends wait for the store").isEqualTo(3);

        state.usageFails = false;
        recorder.close();

        assertThat(keyTotal(state))
                .as("every request counted once when the store is back")
                .isEqualTo(new UsageCounters(3, 0, 30, 3, 0, 0, 21));
    }

    @Test
    void aKeyWithLimitsHasItsCostTokensAndLeaseCountedAtOnceAndTheRestBatched() {
        Counting state = new Counting();
        Duration hour = Duration.ofHours(1);
        io.relaygate.core.KeyRules rules = new io.relaygate.core.KeyRules(
                1, null, null, 25L, hour, 1.0, null, null, List.of(), List.of(), java.util.Set.of(), null, null, null);
        Duration ttl = Duration.ofMinutes(5);
        assertThat(await(state.admit(new AdmissionRequest("k", rules, "l1", ttl, AT, null, ttl)))
                        .admitted())
                .isTrue();
        UsageRecorder recorder = new UsageRecorder(state, Duration.ofSeconds(1), 1000, Duration.ofHours(1));

        recorder.record(new UsageRecord(
                "k", "a", "m", UsageCounters.of(new Usage(10, 1, 0, 0), false, 7), AT, hour, true, "l1"));

        assertThat(await(state.admit(new AdmissionRequest("k", rules, "l2", ttl, AT.plusSeconds(1), null, ttl)))
                        .admitted())
                .as("the slot is free at once, before the batch")
                .isTrue();
        await(state.release("k", "l2"));
        recorder.record(new UsageRecord(
                "k", "a", "m", UsageCounters.of(new Usage(10, 4, 0, 0), false, 7), AT, hour, true, null));
        Admission refused =
                await(state.admit(new AdmissionRequest("k", rules, "l3", ttl, AT.plusSeconds(2), null, ttl)));
        assertThat(refused.limit())
                .as("both records' tokens are in the window at once")
                .isEqualTo(Admission.Limit.TOKENS);
        assertThat(refused.current()).isEqualTo(25);
        assertThat(keyTotal(state))
                .as("the cost is where cost limits read it; requests and tokens wait for the batch")
                .isEqualTo(new UsageCounters(0, 0, 0, 0, 0, 0, 14));
        assertThat(state.records.get()).isZero();

        recorder.close();

        assertThat(state.spends.get()).isEqualTo(2);
        assertThat(state.records.get()).as("one batched write for both").isEqualTo(1);
        assertThat(keyTotal(state)).as("nothing counted twice").isEqualTo(new UsageCounters(2, 0, 20, 5, 0, 0, 14));
        assertThat(await(state.usage(UsageScope.KEY, Period.HOUR, AT)).get(0).counters())
                .isEqualTo(new UsageCounters(2, 0, 20, 5, 0, 0, 14));
        assertThat(await(state.usage(UsageScope.MODEL, Period.TOTAL, AT)).get(0).counters())
                .isEqualTo(new UsageCounters(2, 0, 20, 5, 0, 0, 14));
    }
}
