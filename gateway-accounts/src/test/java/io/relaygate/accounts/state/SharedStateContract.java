package io.relaygate.accounts.state;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.KeyRules;
import io.relaygate.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The semantics both backends share. Time is a fake instant moved by the tests: windows, lease expiry, sticky TTLs and
 * cool-downs are tested without sleeping.
 */
abstract class SharedStateContract {

    static final Instant T0 = Instant.parse("2026-03-04T10:15:00Z");
    static final Duration LEASE = Duration.ofMinutes(2);
    static final Duration STICKY = Duration.ofHours(1);

    /** A new state on fresh backing storage; two calls in one test share the storage (two instances). */
    abstract SharedState state();

    private final String keyId = "key" + System.nanoTime();

    static KeyRules rules(
            @Nullable Integer concurrency,
            @Nullable Long requests,
            @Nullable Duration requestWindow,
            @Nullable Long tokens,
            @Nullable Duration tokenWindow,
            @Nullable Double daily,
            @Nullable Double weekly,
            @Nullable Double total) {
        return new KeyRules(
                concurrency,
                requests,
                requestWindow,
                tokens,
                tokenWindow,
                daily,
                weekly,
                total,
                List.of(),
                List.of(),
                Set.of(),
                null,
                null,
                null);
    }

    private Admission admit(SharedState s, KeyRules rules, String lease, Instant now) {
        return await(s.admit(new AdmissionRequest(keyId, rules, lease, LEASE, now, null, STICKY)));
    }

    private Admission admitSession(SharedState s, String key, String session, Instant now) {
        return await(s.admit(new AdmissionRequest(key, KeyRules.NONE, "l" + now, LEASE, now, session, STICKY)));
    }

    private void spend(SharedState s, String key, long tokens, long costMicros, Instant at, @Nullable Duration window) {
        await(s.record(new UsageRecord(
                key,
                "acct-1",
                "model-1",
                UsageCounters.of(new Usage(tokens, 0, 0, 0), false, costMicros),
                at,
                window)));
    }

    @Test
    void requestWindowAdmitsItsLimitThenRefusesUntilTheWindowEnds() {
        SharedState s = state();
        KeyRules rules = rules(null, 3L, Duration.ofMinutes(1), null, null, null, null, null);
        for (int i = 0; i < 3; i++) {
            assertThat(admit(s, rules, "r" + i, T0.plusSeconds(i)).admitted()).isTrue();
        }

        Admission refused = admit(s, rules, "r3", T0.plusSeconds(10));

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.limit()).isEqualTo(Admission.Limit.REQUESTS);
        assertThat(refused.current()).isEqualTo(3);
        assertThat(refused.resetAt()).isEqualTo(Instant.parse("2026-03-04T10:16:00Z"));
        assertThat(admit(s, rules, "r4", Instant.parse("2026-03-04T10:16:00Z")).admitted())
                .as("the next window starts empty")
                .isTrue();
    }

    @Test
    void concurrencyLeasesAreHeldUntilReleasedOrExpired() {
        SharedState s = state();
        KeyRules rules = rules(2, null, null, null, null, null, null, null);
        assertThat(admit(s, rules, "a", T0).admitted()).isTrue();
        assertThat(admit(s, rules, "b", T0.plusSeconds(1)).admitted()).isTrue();

        Admission third = admit(s, rules, "c", T0.plusSeconds(2));
        assertThat(third.admitted()).isFalse();
        assertThat(third.limit()).isEqualTo(Admission.Limit.CONCURRENCY);
        assertThat(third.current()).isEqualTo(2);
        assertThat(third.resetAt()).as("the earliest lease expiry").isEqualTo(T0.plus(LEASE));

        await(s.release(keyId, "a"));
        assertThat(admit(s, rules, "c", T0.plusSeconds(3)).admitted()).isTrue();

        // "b" and "c" are never released (a crashed instance): they expire after the lease TTL
        assertThat(admit(s, rules, "d", T0.plusSeconds(4)).admitted()).isFalse();
        assertThat(admit(s, rules, "d", T0.plusSeconds(3).plus(LEASE)).admitted())
                .isTrue();
    }

    @Test
    void releaseAllFreesEveryLeaseOfTheKeyAtOnceOnEveryInstance() {
        SharedState one = state();
        SharedState other = state();
        KeyRules rules = rules(2, null, null, null, null, null, null, null);
        assertThat(admit(one, rules, "a", T0).admitted()).isTrue();
        assertThat(admit(other, rules, "b", T0).admitted()).isTrue();
        assertThat(admit(one, rules, "c", T0.plusSeconds(1)).admitted())
                .as("both slots held (the instance that holds them is gone)")
                .isFalse();

        assertThat(await(other.releaseAll(keyId))).as("leases freed").isEqualTo(2L);

        assertThat(admit(one, rules, "c", T0.plusSeconds(2)).admitted())
                .as("freed long before the lease TTL")
                .isTrue();
        assertThat(await(one.releaseAll("no-such-key"))).isZero();
    }

    @Test
    void spendCountsCostAndTokensAgainstTheLimitsAndGivesTheLeaseBackAndTheCountedRecordAddsOnlyTheRest() {
        SharedState s = state();
        Duration hour = Duration.ofHours(1);
        KeyRules rules = rules(1, null, null, 1000L, hour, 0.005, null, null);
        assertThat(admit(s, rules, "a", T0).admitted()).isTrue();
        UsageRecord done = new UsageRecord(
                keyId,
                "acct-1",
                "model-1",
                UsageCounters.of(new Usage(300, 0, 0, 0), false, 4_000),
                T0.plusSeconds(1),
                hour,
                true,
                "a");

        await(s.spend(done));
        assertThat(admit(s, rules, "b", T0.plusSeconds(2)).admitted())
                .as("the spend gave the lease back")
                .isTrue();
        await(s.release(keyId, "b"));
        await(s.record(done.counted()));
        await(s.spend(new UsageRecord(
                keyId,
                null,
                null,
                UsageCounters.of(new Usage(700, 0, 0, 0), false, 0),
                T0.plusSeconds(3),
                hour,
                true,
                null)));

        Admission refused = admit(s, rules, "c", T0.plusSeconds(4));
        assertThat(refused.limit()).isEqualTo(Admission.Limit.TOKENS);
        assertThat(refused.current())
                .as("the counted record's tokens (and cost: 8,000 µ$ would be over the daily 5,000) not counted twice")
                .isEqualTo(1000);
        Instant nextHour = Instant.parse("2026-03-04T11:00:00Z");
        await(s.spend(new UsageRecord(
                keyId, null, null, UsageCounters.of(Usage.ZERO, false, 1_000), nextHour, hour, true, null)));
        Admission broke = admit(s, rules, "d", nextHour.plusSeconds(1));
        assertThat(broke.limit()).isEqualTo(Admission.Limit.DAILY_COST);
        assertThat(broke.current()).as("4,000 + 1,000 µ$").isEqualTo(5_000);
        assertThat(await(s.usage(UsageScope.KEY, Period.TOTAL, T0)))
                .singleElement()
                .extracting(UsageRow::counters)
                .as("the counted record adds its request and tokens, not its cost again")
                .isEqualTo(new UsageCounters(1, 0, 300, 0, 0, 0, 5_000));
        assertThat(await(s.usage(UsageScope.KEY, Period.HOUR, T0)))
                .singleElement()
                .extracting(UsageRow::counters)
                .as("the hour bucket, which no limit reads, gets its cost with the record")
                .isEqualTo(new UsageCounters(1, 0, 300, 0, 0, 0, 4_000));
    }

    @Test
    void anAdmissionCarriesWhatTheKeyHadSpentInTheBucketsItsCostLimitsRead() {
        SharedState s = state();
        KeyRules dayAndTotal = rules(null, null, null, null, null, 0.01, null, 1.0);
        assertThat(admit(s, dayAndTotal, "a", T0).spend())
                .as("nothing spent yet; no weekly limit, so the week is not read")
                .isEqualTo(new CostSpend(0, CostSpend.UNREAD, 0));
        await(s.spend(new UsageRecord(
                keyId,
                null,
                null,
                UsageCounters.of(Usage.ZERO, false, 2_500),
                T0,
                null,
                true,
                null,
                false,
                UsageRecord.costLimitsOf(dayAndTotal))));

        Admission next = admit(s, dayAndTotal, "b", T0.plusSeconds(1));

        assertThat(next.admitted()).isTrue();
        assertThat(next.spend()).isEqualTo(new CostSpend(2_500, CostSpend.UNREAD, 2_500));
        assertThat(admit(s, rules(2, null, null, null, null, null, null, null), "c", T0.plusSeconds(2))
                        .spend())
                .as("a key without cost limits reads no cost")
                .isEqualTo(CostSpend.NONE);
    }

    @Test
    void theSpendCountsTheCostInTheLimitedBucketsOnlyAndTheCountedRecordAddsItToTheOthersOnce() {
        SharedState s = state();
        KeyRules rules = rules(null, null, null, null, null, 0.005, null, null);
        UsageRecord done = new UsageRecord(
                keyId,
                "acct-1",
                "model-1",
                UsageCounters.of(new Usage(300, 0, 0, 0), false, 4_000),
                T0,
                null,
                true,
                null,
                false,
                UsageRecord.costLimitsOf(rules));

        await(s.spend(done));
        Admission next = admit(s, rules(null, null, null, null, null, 0.004, null, null), "a", T0.plusSeconds(1));
        assertThat(next.limit())
                .as("the next admission sees the spend in the day, the bucket the key limits")
                .isEqualTo(Admission.Limit.DAILY_COST);
        assertThat(next.current()).isEqualTo(4_000);
        assertThat(await(s.usage(UsageScope.KEY, Period.WEEK, T0)))
                .as("nothing yet in the week, which no limit of the key reads: the batch writes it")
                .isEmpty();

        await(s.record(done.counted()));

        for (Period p : Period.values()) {
            assertThat(await(s.usage(UsageScope.KEY, p, T0)))
                    .singleElement()
                    .extracting(UsageRow::counters)
                    .as(p + ": the cost once, whether the spend or the batch put it there")
                    .isEqualTo(new UsageCounters(1, 0, 300, 0, 0, 0, 4_000));
        }
    }

    @Test
    void releaseAllCountsTheLeasesOnlyAndLeasesStillExpireAfterIt() {
        SharedState s = state();
        KeyRules rules = rules(1, null, null, null, null, null, null, null);
        assertThat(admit(s, rules, "a", T0).admitted()).isTrue();
        await(s.release(keyId, "a"));
        assertThat(admit(s, rules, "b", T0.plusSeconds(1)).admitted()).isTrue();

        assertThat(await(s.releaseAll(keyId))).as("one lease held").isEqualTo(1L);
        assertThat(await(s.releaseAll(keyId))).as("none left").isZero();
        assertThat(admit(s, rules, "c", T0.plusSeconds(2)).admitted()).isTrue();
        assertThat(admit(s, rules, "d", T0.plusSeconds(3)).admitted())
                .as("the new lease counts")
                .isFalse();
        assertThat(admit(s, rules, "d", T0.plusSeconds(2).plus(LEASE)).admitted())
                .as("and expires after the lease TTL, never released (a crashed instance)")
                .isTrue();
    }

    @Test
    void aRenewedLeaseOutlivesItsFirstExpiry() {
        SharedState s = state();
        KeyRules rules = rules(1, null, null, null, null, null, null, null);
        assertThat(admit(s, rules, "stream", T0).admitted()).isTrue();
        await(s.renew(keyId, "stream", T0.plus(LEASE).plus(LEASE)));

        assertThat(admit(s, rules, "other", T0.plus(LEASE).plusSeconds(1)).admitted())
                .as("the long stream still holds its slot")
                .isFalse();

        await(s.release(keyId, "stream"));
        await(s.renew(keyId, "stream", T0.plus(Duration.ofHours(1))));
        assertThat(admit(s, rules, "other", T0.plus(LEASE).plusSeconds(2)).admitted())
                .as("renewing a released lease does not bring it back")
                .isTrue();
    }

    @Test
    void aRefusedAdmissionTakesNothing() {
        SharedState s = state();
        KeyRules rules = rules(1, 2L, Duration.ofMinutes(1), null, null, null, null, null);
        assertThat(admit(s, rules, "a", T0).admitted()).isTrue();
        assertThat(admit(s, rules, "b", T0.plusSeconds(1)).limit()).isEqualTo(Admission.Limit.CONCURRENCY);
        await(s.release(keyId, "a"));

        assertThat(admit(s, rules, "c", T0.plusSeconds(2)).admitted())
                .as("the refused request did not count against the request window")
                .isTrue();
        await(s.release(keyId, "c"));
        assertThat(admit(s, rules, "d", T0.plusSeconds(3)).limit()).isEqualTo(Admission.Limit.REQUESTS);
    }

    @Test
    void tokenWindowRefusesOnceTheRecordedTokensReachTheLimit() {
        SharedState s = state();
        Duration hour = Duration.ofHours(1);
        KeyRules rules = rules(null, null, null, 1000L, hour, null, null, null);
        spend(s, keyId, 600, 0, T0, hour);
        assertThat(admit(s, rules, "a", T0.plusSeconds(1)).admitted()).isTrue();
        spend(s, keyId, 400, 0, T0.plusSeconds(2), hour);

        Admission refused = admit(s, rules, "b", T0.plusSeconds(3));

        assertThat(refused.limit()).isEqualTo(Admission.Limit.TOKENS);
        assertThat(refused.current()).isEqualTo(1000);
        assertThat(refused.resetAt()).isEqualTo(Instant.parse("2026-03-04T11:00:00Z"));
        assertThat(admit(s, rules, "c", Instant.parse("2026-03-04T11:00:00Z")).admitted())
                .isTrue();
    }

    @Test
    void costLimitsPerDayWeekAndTotalResetAtTheirBoundaries() {
        SharedState s = state();
        KeyRules daily = rules(null, null, null, null, null, 1.0, null, null);
        KeyRules weekly = rules(null, null, null, null, null, null, 2.0, null);
        KeyRules total = rules(null, null, null, null, null, null, null, 2.5);
        spend(s, keyId, 10, 1_000_000, T0, null);

        Admission day = admit(s, daily, "a", T0.plusSeconds(1));
        assertThat(day.limit()).isEqualTo(Admission.Limit.DAILY_COST);
        assertThat(day.current()).isEqualTo(1_000_000);
        assertThat(day.resetAt()).isEqualTo(Instant.parse("2026-03-05T00:00:00Z"));
        assertThat(admit(s, weekly, "b", T0.plusSeconds(1)).admitted()).isTrue();

        Instant nextDay = Instant.parse("2026-03-05T08:00:00Z");
        assertThat(admit(s, daily, "c", nextDay).admitted()).isTrue();
        spend(s, keyId, 10, 1_000_000, nextDay, null);
        Admission week = admit(s, weekly, "d", nextDay.plusSeconds(1));
        assertThat(week.limit()).isEqualTo(Admission.Limit.WEEKLY_COST);
        assertThat(week.resetAt())
                .as("the next ISO week starts on Monday")
                .isEqualTo(Instant.parse("2026-03-09T00:00:00Z"));

        Instant nextWeek = Instant.parse("2026-03-10T08:00:00Z");
        assertThat(admit(s, weekly, "e", nextWeek).admitted()).isTrue();
        spend(s, keyId, 10, 600_000, nextWeek, null);
        Admission lifetime = admit(s, total, "f", nextWeek.plusSeconds(1));
        assertThat(lifetime.limit()).isEqualTo(Admission.Limit.TOTAL_COST);
        assertThat(lifetime.current()).isEqualTo(2_600_000);
        assertThat(lifetime.resetAt()).as("a lifetime limit never resets").isNull();
    }

    @Test
    void stickySessionsAreScopedByKeyAndRenewedOnUse() {
        SharedState s = state();
        String other = keyId + "-other";
        assertThat(admitSession(s, keyId, "sess", T0).stickyAccountId()).isNull();
        await(s.stick(keyId, "sess", "acct-7", T0, STICKY));

        assertThat(admitSession(s, keyId, "sess", T0.plusSeconds(1)).stickyAccountId())
                .isEqualTo("acct-7");
        assertThat(admitSession(s, other, "sess", T0.plusSeconds(1)).stickyAccountId())
                .as("another key's session with the same hash")
                .isNull();
        Instant later = T0.plus(Duration.ofMinutes(50));
        assertThat(admitSession(s, keyId, "sess", later).stickyAccountId()).isEqualTo("acct-7");
        assertThat(admitSession(s, keyId, "sess", later.plus(Duration.ofMinutes(50)))
                        .stickyAccountId())
                .as("renewed by the use at +50 min, so alive at +100 min")
                .isEqualTo("acct-7");
        assertThat(admitSession(
                                s,
                                keyId,
                                "sess",
                                later.plus(Duration.ofMinutes(50)).plus(STICKY))
                        .stickyAccountId())
                .as("gone an hour after the last use")
                .isNull();
    }

    @Test
    void conditionsExpireByThemselvesUnlessTheyHaveNoEnd() {
        SharedState s = state();
        await(s.setCondition(
                "acct-a",
                new AccountCondition(
                        AccountCondition.State.RATE_LIMITED, "429 from upstream", T0, T0.plusSeconds(60))));
        await(s.setCondition(
                "acct-b", new AccountCondition(AccountCondition.State.UNAUTHORIZED, "invalid x-api-key", T0, null)));

        assertThat(await(s.conditions(T0.plusSeconds(59))))
                .containsOnlyKeys("acct-a", "acct-b")
                .hasEntrySatisfying("acct-a", c -> assertThat(c.reason()).isEqualTo("429 from upstream"));
        assertThat(await(s.conditions(T0.plusSeconds(60)))).containsOnlyKeys("acct-b");
        assertThat(await(s.conditions(T0.plus(Duration.ofDays(30)))).get("acct-b"))
                .isEqualTo(new AccountCondition(AccountCondition.State.UNAUTHORIZED, "invalid x-api-key", T0, null));

        await(s.clearCondition("acct-b"));
        assertThat(await(s.conditions(T0))).containsOnlyKeys("acct-a");
    }

    private static TrialClaim claim(SharedState s, String requestId, Instant now) {
        return await(s.claimTrial("acct-a", requestId, now, Duration.ofMinutes(2)));
    }

    @Test
    void aFaultConditionAwaitsItsTrialAfterItsCoolDownAndOnlyOneRequestAcrossInstancesGetsIt() {
        SharedState one = state();
        SharedState two = state();
        await(one.setCondition(
                "acct-a", new AccountCondition(AccountCondition.State.OVERLOADED, "529", T0, T0.plusSeconds(60))));

        assertThat(claim(one, "r0", T0.plusSeconds(59)))
                .as("still cooling down")
                .isEqualTo(TrialClaim.TAKEN);
        assertThat(await(two.conditions(T0.plusSeconds(61))))
                .as("after the cool-down the condition stays in effect: the account awaits its trial")
                .containsOnlyKeys("acct-a")
                .hasEntrySatisfying("acct-a", c -> assertThat(c.awaitsTrialAt(T0.plusSeconds(61)))
                        .isTrue());
        assertThat(claim(two, "r1", T0.plusSeconds(60))).isEqualTo(TrialClaim.CLAIMED);
        assertThat(claim(one, "r2", T0.plusSeconds(61)))
                .as("one trial across instances")
                .isEqualTo(TrialClaim.TAKEN);
        await(one.releaseTrial("acct-a", "r2"));
        assertThat(claim(one, "r3", T0.plusSeconds(62)))
                .as("only the holder gives a claim back")
                .isEqualTo(TrialClaim.TAKEN);

        // the trial failed: out again, then the claim is given back
        await(two.setCondition(
                "acct-a",
                new AccountCondition(
                        AccountCondition.State.OVERLOADED, "trial failed", T0.plusSeconds(62), T0.plusSeconds(182))));
        await(two.releaseTrial("acct-a", "r1"));
        assertThat(claim(one, "r4", T0.plusSeconds(63)))
                .as("cooling down again")
                .isEqualTo(TrialClaim.TAKEN);
        assertThat(claim(one, "r5", T0.plusSeconds(182))).isEqualTo(TrialClaim.CLAIMED);
        assertThat(claim(two, "r6", T0.plusSeconds(182 + 119)))
                .as("held until the claim's ttl")
                .isEqualTo(TrialClaim.TAKEN);
        assertThat(claim(two, "r7", T0.plusSeconds(182 + 120)))
                .as("a claim whose request vanished expires")
                .isEqualTo(TrialClaim.CLAIMED);

        // the trial succeeded: the condition is cleared, then the claim given back
        await(two.clearCondition("acct-a"));
        await(two.releaseTrial("acct-a", "r7"));
        assertThat(claim(one, "r8", T0.plusSeconds(400))).isEqualTo(TrialClaim.RECOVERED);
        assertThat(await(one.conditions(T0.plusSeconds(400)))).isEmpty();
    }

    @Test
    void onlyFaultConditionsAwaitATrial() {
        SharedState s = state();
        await(s.setCondition(
                "acct-a",
                new AccountCondition(AccountCondition.State.UNREACHABLE, "connect refused", T0, T0.plusSeconds(60))));
        await(s.setCondition(
                "acct-b", new AccountCondition(AccountCondition.State.RATE_LIMITED, "429", T0, T0.plusSeconds(60))));

        assertThat(await(s.conditions(T0.plusSeconds(60))))
                .as("a rate limit ends at its reset; an unreachable upstream must prove itself first")
                .containsOnlyKeys("acct-a");
    }

    @Test
    void lastUsedTimesAreKeptPerAccount() {
        SharedState s = state();
        await(s.markUsed("acct-a", T0));
        await(s.markUsed("acct-b", T0.plusSeconds(5)));
        await(s.markUsed("acct-a", T0.plusSeconds(9)));

        assertThat(await(s.lastUsed()))
                .containsEntry("acct-a", T0.plusSeconds(9))
                .containsEntry("acct-b", T0.plusSeconds(5));
    }

    @Test
    void quotaReadingsAreKeptPerAccountReplacedByTheNextAndSharedByInstances() {
        SharedState one = state();
        SharedState two = state();
        AccountQuota subscription = new AccountQuota(
                Map.of(
                        AccountQuota.Window.UNIFIED_5H, AccountQuota.Use.of(0.62, T0.plus(Duration.ofHours(2))),
                        AccountQuota.Window.UNIFIED_7D, AccountQuota.Use.of(0.18, T0.plus(Duration.ofDays(3)))),
                T0);
        AccountQuota api = new AccountQuota(
                Map.of(AccountQuota.Window.REQUESTS, AccountQuota.Use.of(0.4, null)), T0.plusSeconds(1));
        String a = "acct-a" + keyId;
        String b = "acct-b" + keyId;

        await(one.setQuota(a, subscription));
        await(one.setQuota(b, api));

        assertThat(await(two.quotas())).containsEntry(a, subscription).containsEntry(b, api);
        AccountQuota later = new AccountQuota(
                Map.of(AccountQuota.Window.UNIFIED_5H, AccountQuota.Use.of(0.7, T0.plus(Duration.ofHours(2)))),
                T0.plusSeconds(30));
        await(two.setQuota(a, later));
        assertThat(await(one.quotas()).get(a))
                .as("the newer reading replaces the older")
                .isEqualTo(later);
    }

    @Test
    void usageIsCountedPerKeyAccountAndModelInHourDayWeekAndTotal() {
        SharedState s = state();
        String key2 = keyId + "-2";
        Instant nextHour = T0.plus(Duration.ofHours(1));
        await(s.record(new UsageRecord(
                keyId, "acct-1", "claude-x", UsageCounters.of(new Usage(100, 20, 5, 7), false, 1_500), T0, null)));
        await(s.record(new UsageRecord(
                keyId, "acct-1", "gpt-y", UsageCounters.of(new Usage(10, 2, 0, 0), true, 30), nextHour, null)));
        await(s.record(
                new UsageRecord(key2, null, "claude-x", UsageCounters.of(new Usage(1, 1, 0, 0), false, 2), T0, null)));

        assertThat(await(s.usage(UsageScope.KEY, Period.DAY, T0)))
                .filteredOn(r -> r.id().equals(keyId))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.bucket()).isEqualTo("2026-03-04");
                    assertThat(r.counters()).isEqualTo(new UsageCounters(2, 1, 110, 22, 5, 7, 1_530));
                });
        assertThat(await(s.usage(UsageScope.KEY, Period.HOUR, T0)))
                .filteredOn(r -> r.id().equals(keyId))
                .singleElement()
                .satisfies(r -> assertThat(r.counters()).isEqualTo(new UsageCounters(1, 0, 100, 20, 5, 7, 1_500)));
        assertThat(await(s.usage(UsageScope.KEY, Period.WEEK, T0)))
                .filteredOn(r -> r.id().equals(keyId))
                .singleElement()
                .satisfies(r -> assertThat(r.bucket()).isEqualTo("2026-W10"));
        assertThat(await(s.usage(UsageScope.ACCOUNT, Period.TOTAL, T0)))
                .filteredOn(r -> r.id().equals("acct-1"))
                .singleElement()
                .satisfies(r -> assertThat(r.counters().requests()).isEqualTo(2));
        assertThat(await(s.usage(UsageScope.MODEL, Period.DAY, T0)))
                .filteredOn(r -> r.id().equals("claude-x"))
                .singleElement()
                .satisfies(r -> assertThat(r.counters()).isEqualTo(new UsageCounters(2, 0, 101, 21, 5, 7, 1_502)));
        assertThat(await(s.usage(UsageScope.MODEL, Period.HOUR, nextHour)))
                .extracting(UsageRow::id)
                .contains("gpt-y")
                .doesNotContain("claude-x");
    }

    @Test
    void oneIdsUsageIsReadOverAListOfBucketsWithZeroWhereItHasNone() {
        SharedState s = state();
        String other = keyId + "-other";
        Instant nextDay = T0.plus(Duration.ofDays(1));
        await(s.record(new UsageRecord(
                keyId, "acct-1", "claude-x", UsageCounters.of(new Usage(100, 20, 5, 7), false, 1_500), T0, null)));
        await(s.record(new UsageRecord(
                keyId, "acct-1", "claude-x", UsageCounters.of(new Usage(10, 2, 0, 0), true, 30), nextDay, null)));
        await(s.record(new UsageRecord(
                other, "acct-2", "claude-x", UsageCounters.of(new Usage(1, 1, 0, 0), false, 2), T0, null)));
        List<Instant> days = List.of(T0.minus(Duration.ofDays(1)), T0, nextDay, nextDay.plus(Duration.ofDays(1)));

        assertThat(await(s.usageOf(UsageScope.KEY, keyId, Period.DAY, days)))
                .as("in the order asked, zero for the days without usage, the other key's left out")
                .containsExactly(
                        UsageCounters.ZERO,
                        new UsageCounters(1, 0, 100, 20, 5, 7, 1_500),
                        new UsageCounters(1, 1, 10, 2, 0, 0, 30),
                        UsageCounters.ZERO);
        assertThat(await(s.usageOf(UsageScope.KEY, other, Period.TOTAL, List.of(T0))))
                .containsExactly(new UsageCounters(1, 0, 1, 1, 0, 0, 2));
        assertThat(await(s.usageOf(UsageScope.ACCOUNT, "acct-1", Period.HOUR, List.of(T0, nextDay))))
                .extracting(UsageCounters::requests)
                .containsExactly(1L, 1L);
        assertThat(await(s.usageOf(UsageScope.KEY, keyId + "-never", Period.WEEK, List.of(T0))))
                .containsExactly(UsageCounters.ZERO);
        assertThat(await(s.usageOf(UsageScope.KEY, keyId, Period.DAY, List.of())))
                .isEmpty();
    }

    @Test
    void aRidingBatchIsWrittenOnceWithTheNextSpendOrAloneAndRetriedPartsAreAppliedOnce() {
        SharedState s = state();
        Duration hour = Duration.ofHours(1);
        KeyRules rules = rules(1, null, null, 1000L, hour, null, null, null);
        assertThat(admit(s, rules, "a", T0).admitted()).isTrue();
        UsageRecord done = new UsageRecord(
                keyId,
                "acct-1",
                "model-1",
                UsageCounters.of(new Usage(300, 0, 0, 0), false, 0),
                T0.plusSeconds(1),
                hour,
                true,
                "a");
        List<UsageWrite> batch = List.of(new UsageWrite(done.counted(), new WriteId("ride", 1, 1)));

        // the batch parks (one server) and goes in the spend's call; elsewhere it goes at once
        List<java.util.concurrent.CompletionStage<Void>> riding = s.recordAllRiding(batch);
        await(s.spend(done, new WriteId("ride", 2, 1)));
        riding.forEach(f -> await(f));
        assertThat(admit(s, rules, "b", T0.plusSeconds(2)).admitted())
                .as("the spend gave the lease back")
                .isTrue();
        // a retried batch with no spend after it goes alone (bounded); a retried spend; both applied before
        s.recordAllRiding(batch).forEach(f -> await(f));
        await(s.spend(done.withoutLease(), new WriteId("ride", 2, 1)));

        assertThat(await(s.usage(UsageScope.KEY, Period.TOTAL, T0)))
                .singleElement()
                .extracting(UsageRow::counters)
                .as("the request and its tokens once")
                .isEqualTo(new UsageCounters(1, 0, 300, 0, 0, 0, 0));
        assertThat(admit(s, rules, "c", T0.plusSeconds(3)).limit())
                .as("the lease of b is held; the tokens counted once (300 of 1,000)")
                .isEqualTo(Admission.Limit.CONCURRENCY);
        await(s.release(keyId, "b"));
        assertThat(admit(s, rules, "d", T0.plusSeconds(4)).admitted()).isTrue();
    }

    @Test
    void theTopIdsOfABucketRankByCostThenRequestsAndCarryTheirCounters() {
        SharedState s = state();
        String cheap = keyId + "-cheap";
        String busy = keyId + "-busy";
        String idle = keyId + "-idle";
        List<UsageWrite> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(new UsageWrite(
                    new UsageRecord(
                            busy, "acct-b", "model-free", UsageCounters.of(new Usage(5, 5, 0, 0), false, 0), T0, null),
                    null));
        }
        batch.add(new UsageWrite(
                new UsageRecord(
                        keyId, "acct-a", "model-paid", UsageCounters.of(new Usage(10, 1, 0, 0), false, 900), T0, null),
                null));
        batch.add(new UsageWrite(
                new UsageRecord(
                        cheap, "acct-a", "model-paid", UsageCounters.of(new Usage(1, 1, 0, 0), false, 100), T0, null),
                null));
        batch.add(new UsageWrite(
                new UsageRecord(
                        idle, "acct-b", "model-free", UsageCounters.of(new Usage(1, 1, 0, 0), false, 0), T0, null),
                null));
        await(java.util.concurrent.CompletableFuture.allOf(s.recordAll(batch).stream()
                .map(java.util.concurrent.CompletionStage::toCompletableFuture)
                .toArray(java.util.concurrent.CompletableFuture[]::new)));
        // a later write raises a rank: the cheap key overtakes the first
        await(s.record(new UsageRecord(
                cheap, "acct-a", "model-paid", UsageCounters.of(new Usage(1, 1, 0, 0), false, 1_000), T0, null)));

        assertThat(await(s.top(UsageScope.KEY, Period.DAY, T0, 3)))
                .as("cost first, then requests (the busy key's three free requests before the idle one's)")
                .extracting(UsageRow::id, r -> r.counters().requests(), r -> r.counters()
                        .costMicros())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(cheap, 2L, 1_100L),
                        org.assertj.core.groups.Tuple.tuple(keyId, 1L, 900L),
                        org.assertj.core.groups.Tuple.tuple(busy, 3L, 0L));
        assertThat(await(s.top(UsageScope.KEY, Period.HOUR, T0, 10)))
                .extracting(UsageRow::id)
                .containsExactly(cheap, keyId, busy, idle);
        assertThat(await(s.top(UsageScope.ACCOUNT, Period.WEEK, T0, 1)))
                .as("accounts and models are counted per week too")
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.id()).isEqualTo("acct-a");
                    assertThat(r.bucket()).isEqualTo("2026-W10");
                    assertThat(r.counters().costMicros()).isEqualTo(2_000);
                });
        assertThat(await(s.top(UsageScope.MODEL, Period.DAY, T0, 5)))
                .extracting(UsageRow::id, r -> r.counters().requests())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("model-paid", 3L),
                        org.assertj.core.groups.Tuple.tuple("model-free", 4L));
        assertThat(await(s.top(UsageScope.KEY, Period.TOTAL, T0, 1)))
                .extracting(UsageRow::id)
                .containsExactly(cheap);
        assertThat(await(s.top(UsageScope.KEY, Period.DAY, T0.plus(Duration.ofDays(1)), 5)))
                .as("another day's bucket")
                .isEmpty();
        assertThat(await(s.top(UsageScope.KEY, Period.DAY, T0, 0))).isEmpty();
    }

    @Test
    void twoInstancesOnTheSameStorageShareLimitsStickinessAndUsage() {
        SharedState one = state();
        SharedState two = state();
        KeyRules rules = rules(1, null, null, null, null, null, null, null);
        assertThat(admit(one, rules, "a", T0).admitted()).isTrue();
        assertThat(admit(two, rules, "b", T0).admitted()).isFalse();
        await(one.release(keyId, "a"));
        assertThat(admit(two, rules, "b", T0).admitted()).isTrue();

        await(one.stick(keyId, "sess", "acct-3", T0, STICKY));
        assertThat(admitSession(two, keyId, "sess", T0).stickyAccountId()).isEqualTo("acct-3");

        spend(one, keyId, 50, 9, T0, null);
        assertThat(await(two.usage(UsageScope.KEY, Period.TOTAL, T0)))
                .filteredOn(r -> r.id().equals(keyId))
                .singleElement()
                .satisfies(r -> assertThat(r.counters().inputTokens()).isEqualTo(50));
    }
}
