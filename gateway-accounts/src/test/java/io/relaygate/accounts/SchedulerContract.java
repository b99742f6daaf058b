package io.relaygate.accounts;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.Admission;
import io.relaygate.accounts.state.AdmissionRequest;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.WireFormat;
import io.relaygate.core.config.SchedulingConfig;
import io.relaygate.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler on a real store of each backend; time and cache expiry are driven by the test. */
abstract class SchedulerContract {

    @TempDir
    Path dataDir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    final AtomicLong nanos = new AtomicLong();
    final Ticker ticker = nanos::get;
    private final List<Store> opened = new ArrayList<>();
    private final SchedulingConfig config = SchedulingConfig.defaults();

    /** A store on this test's backing state; a second call is a second instance on the same state. */
    abstract Store openStore();

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    Store store() {
        if (opened.isEmpty()) {
            opened.add(openStore());
        }
        return opened.get(0);
    }

    Scheduler scheduler(Store store) {
        return new Scheduler(
                new AccountSelector(store.accounts(), ticker, Duration.ofSeconds(1)),
                store.state(),
                config,
                clock,
                ticker);
    }

    void advance(Duration d) {
        clock.advance(d);
        nanos.addAndGet(d.toNanos());
    }

    Account account(String name, int priority, @Nullable String group) {
        Account a = new Account(
                "id-" + name,
                name,
                AccountKind.ANTHROPIC_API,
                "http://127.0.0.1:9",
                "sk-ant-x",
                null,
                priority,
                true,
                group,
                List.of(),
                Map.of(),
                Instant.EPOCH,
                null,
                Map.of());
        return await(store().accounts().create(a));
    }

    static ApiKey key(KeyRules rules) {
        return new ApiKey("kid" + System.nanoTime(), "alice", "rg_x", "salt", "hash", true, Instant.EPOCH, rules);
    }

    static KeyRules concurrency(int n) {
        return new KeyRules(
                n, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, null);
    }

    static Scheduler.Demand demand(ApiKey key, @Nullable String session, String id) {
        return new Scheduler.Demand(key, List.of(WireFormat.ANTHROPIC), "claude-x", session, id, "Anthropic Messages");
    }

    static List<String> names(Scheduler.Decision d) {
        assertThat(d).isInstanceOf(Scheduler.Admitted.class);
        return ((Scheduler.Admitted) d).accounts().stream().map(Account::name).toList();
    }

    Scheduler.Decision schedule(Scheduler s, Scheduler.Demand d) {
        return await(s.schedule(d));
    }

    @Test
    void priorityFirstThenLeastRecentlyUsed() {
        Account a = account("a", 10, null);
        Account b = account("b", 10, null);
        account("c", 5, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);

        assertThat(names(schedule(s, demand(key, null, "r1")))).containsExactly("c", "a", "b");
        s.tried(a);
        advance(Duration.ofMillis(10));
        assertThat(names(schedule(s, demand(key, null, "r2")))).containsExactly("c", "b", "a");
        s.tried(b);
        advance(Duration.ofMillis(10));
        assertThat(names(schedule(s, demand(key, null, "r3")))).containsExactly("c", "a", "b");
    }

    @Test
    void aSessionSticksToTheAccountThatServedIt() {
        account("a", 10, null);
        Account b = account("b", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        Scheduler.Demand first = demand(key, "session-1", "r1");
        assertThat(((Scheduler.Admitted) schedule(s, first)).stickyAccountId()).isNull();

        s.served(b, first, null);

        Scheduler.Decision again = schedule(s, demand(key, "session-1", "r2"));
        assertThat(names(again)).containsExactly("b", "a");
        assertThat(((Scheduler.Admitted) again).stickyAccountId()).isEqualTo(b.id());
        assertThat(names(schedule(s, demand(key, "session-2", "r3"))))
                .as("another session is not affected")
                .containsExactly("a", "b");
    }

    @Test
    void aKeyWithLimitsTellsTheStoreItsKnownStickyAccountWhichAgesOutThirtySecondsAfterItWasLearnt() {
        account("a", 10, null);
        Account b = account("b", 10, null);
        SharedState state = store().state();
        List<AdmissionRequest> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        // the store's own state, told of each admission asked of it
        SharedState told = (SharedState) java.lang.reflect.Proxy.newProxyInstance(
                SharedState.class.getClassLoader(), new Class<?>[] {SharedState.class}, (proxy, m, args) -> {
                    if (m.getName().equals("admit")) {
                        asked.add((AdmissionRequest) args[0]);
                    }
                    try {
                        return m.invoke(state, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Scheduler s = new Scheduler(
                new AccountSelector(store().accounts(), ticker, Duration.ofSeconds(1)), told, config, clock, ticker);
        ApiKey key = key(concurrency(100));
        Scheduler.Demand first = demand(key, "session-1", "r1");
        schedule(s, first);
        s.served(b, first, null);
        for (int i = 2; i <= 4; i++) {
            // at 10, 20 and 31 s after the account was learnt
            advance(Duration.ofSeconds(i == 4 ? 11 : 10));
            Scheduler.Decision d = schedule(s, demand(key, "session-1", "r" + i));
            assertThat(((Scheduler.Admitted) d).stickyAccountId()).isEqualTo(b.id());
            s.served(b, demand(key, "session-1", "r" + i), b.id());
        }
        assertThat(asked).extracting(AdmissionRequest::knownSticky).containsExactly(null, b.id(), b.id(), null);
    }

    @Test
    void aStickyAccountOutOfRotationIsPassedOver() {
        account("a", 10, null);
        Account b = account("b", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        s.served(b, demand(key, "sess", "r1"), null);
        s.putOutOfRotation(
                b,
                AccountCondition.State.OVERLOADED,
                "529 overloaded_error",
                clock.instant().plusSeconds(60));

        assertThat(names(schedule(s, demand(key, "sess", "r2")))).containsExactly("a");
    }

    @Test
    void coolDownsEndByThemselvesAndReachOtherInstances() {
        Account a = account("a", 10, null);
        account("b", 10, null);
        Scheduler here = scheduler(store());
        Store otherStore = openStore();
        opened.add(otherStore);
        Scheduler there = scheduler(otherStore);
        ApiKey key = key(KeyRules.NONE);
        assertThat(names(schedule(there, demand(key, null, "r0")))).containsExactly("a", "b");

        here.putOutOfRotation(
                a,
                AccountCondition.State.RATE_LIMITED,
                "rate_limit_error",
                clock.instant().plusSeconds(30));

        assertThat(names(schedule(here, demand(key, null, "r1"))))
                .as("at once here")
                .containsExactly("b");
        advance(Scheduler.VIEW_TTL.plusMillis(1));
        assertThat(names(schedule(there, demand(key, null, "r2"))))
                .as("on the other instance within the view TTL")
                .containsExactly("b");
        advance(Duration.ofSeconds(30));
        assertThat(names(schedule(here, demand(key, null, "r3")))).containsExactly("a", "b");
        assertThat(names(schedule(there, demand(key, null, "r4")))).containsExactly("a", "b");
    }

    @Test
    void anAccountBackFromAFaultTakesOneTrialRequestBeforeItIsTrustedAgain() throws InterruptedException {
        Account a = account("a", 10, null);
        account("b", 20, null);
        Scheduler here = scheduler(store());
        Store otherStore = openStore();
        opened.add(otherStore);
        Scheduler there = scheduler(otherStore);
        ApiKey key = key(KeyRules.NONE);
        here.failed(a, demand(key, null, "r0"), UpstreamFailure.OVERLOADED, "529 overloaded_error", null);
        assertThat(names(schedule(here, demand(key, null, "r1")))).containsExactly("b");

        advance(config.overloadCoolDown());
        Scheduler.Demand trial = demand(key, null, "r2");
        assertThat(names(schedule(here, trial)))
                .as("the cool-down is over: one request tries the account first, and may fail over")
                .containsExactly("a", "b");
        assertThat(names(schedule(here, demand(key, null, "r3"))))
                .as("while the trial runs, the other requests go elsewhere")
                .containsExactly("b");
        assertThat(names(schedule(there, demand(key, null, "r4"))))
                .as("on every instance")
                .containsExactly("b");

        here.served(a, trial, null);
        assertThat(names(schedule(here, demand(key, null, "r5"))))
                .as("the trial succeeded: back in rotation here at once")
                .containsExactly("a", "b");
        // the verdict reaches the store asynchronously (the request's path does not wait for it)
        for (int i = 0;
                i < 400 && await(store().state().conditions(clock.instant())).containsKey(a.id());
                i++) {
            Thread.sleep(25);
        }
        advance(Scheduler.VIEW_TTL.plusMillis(1));
        assertThat(names(schedule(there, demand(key, null, "r6"))))
                .as("and on the other instance with its next view")
                .containsExactly("a", "b");
    }

    @Test
    void aFailedTrialTakesTheAccountOutAgainForTwiceAsLong() {
        Account a = account("a", 10, null);
        account("b", 20, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        Duration coolDown = config.overloadCoolDown();
        s.coolDown(a, UpstreamFailure.CONNECT_FAILED, "connection refused", null);

        advance(coolDown);
        Scheduler.Demand first = demand(key, null, "r1");
        assertThat(names(schedule(s, first))).containsExactly("a", "b");
        s.failed(a, first, UpstreamFailure.SERVER_ERROR, "503 from upstream", null);
        assertThat(names(schedule(s, demand(key, null, "r2")))).containsExactly("b");
        advance(coolDown.multipliedBy(2).minusSeconds(1));
        assertThat(names(schedule(s, demand(key, null, "r3"))))
                .as("twice the cool-down")
                .containsExactly("b");
        advance(Duration.ofSeconds(1));
        Scheduler.Demand second = demand(key, null, "r4");
        assertThat(names(schedule(s, second))).containsExactly("a", "b");

        s.failed(a, second, UpstreamFailure.CONNECT_TIMEOUT, "connect timed out", null);
        advance(coolDown.multipliedBy(4).minusSeconds(1));
        assertThat(names(schedule(s, demand(key, null, "r5"))))
                .as("twice as long again")
                .containsExactly("b");
        advance(Duration.ofSeconds(1));
        Scheduler.Demand third = demand(key, null, "r6");
        assertThat(names(schedule(s, third))).containsExactly("a", "b");

        s.failed(a, third, UpstreamFailure.CLIENT_ERROR, "400 invalid_request_error", null);
        assertThat(names(schedule(s, demand(key, null, "r7"))))
                .as("an answer about the request itself shows the upstream is up again")
                .containsExactly("a", "b");
    }

    @Test
    void whenTheOnlyAccountIsOnTrialTheOthersAreToldItIsUnderWay() {
        Account a = account("a", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        s.coolDown(a, UpstreamFailure.OVERLOADED, "529", null);
        advance(config.overloadCoolDown());
        assertThat(names(schedule(s, demand(key, null, "r1")))).containsExactly("a");

        assertThat(schedule(s, demand(key, null, "r2"))).isInstanceOfSatisfying(Scheduler.Unavailable.class, u -> {
            assertThat(u.message()).endsWith("a (overloaded, its trial request is under way)");
            assertThat(u.kind()).isEqualTo(io.relaygate.core.ErrorKind.OVERLOADED);
        });
    }

    @Test
    void anUnauthorizedAccountStaysOutUntilItsConditionIsCleared() {
        Account a = account("a", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        s.putOutOfRotation(a, AccountCondition.State.UNAUTHORIZED, "invalid x-api-key", null);
        advance(Duration.ofDays(3));

        Scheduler.Decision d = schedule(s, demand(key, null, "r1"));

        assertThat(d).isInstanceOfSatisfying(Scheduler.Unavailable.class, u -> {
            assertThat(u.message())
                    .isEqualTo(
                            "every upstream account that serves model claude-x is out of rotation: a (unauthorized)");
            assertThat(u.retryAt()).isNull();
        });
        await(store().state().clearCondition(a.id()));
        advance(Scheduler.VIEW_TTL.plusMillis(1));
        assertThat(names(schedule(s, demand(key, null, "r2")))).containsExactly("a");
    }

    @Test
    void whenEveryAccountCoolsDownTheClientLearnsWhenTheFirstComesBack() {
        Account a = account("a", 10, null);
        Account b = account("b", 20, null);
        Scheduler s = scheduler(store());
        s.putOutOfRotation(
                a, AccountCondition.State.RATE_LIMITED, "429", clock.instant().plusSeconds(90));
        s.putOutOfRotation(
                b, AccountCondition.State.OVERLOADED, "529", clock.instant().plusSeconds(20));

        Scheduler.Decision d = schedule(s, demand(key(KeyRules.NONE), null, "r1"));

        assertThat(d).isInstanceOfSatisfying(Scheduler.Unavailable.class, u -> {
            assertThat(u.message()).contains("a (rate-limited until 2026-06-01T12:01:30Z)", "b (overloaded until");
            assertThat(u.retryAt()).isEqualTo(clock.instant().plusSeconds(20));
        });
    }

    AccountQuota used(double fraction, Duration resetIn) {
        return new AccountQuota(
                Map.of(
                        AccountQuota.Window.UNIFIED_5H,
                        AccountQuota.Use.of(fraction, clock.instant().plus(resetIn))),
                clock.instant());
    }

    @Test
    void amongEqualPrioritiesTheAccountWithMoreQuotaHeadroomGoesFirst() {
        Account a = account("a", 10, null);
        Account b = account("b", 10, null);
        account("c", 5, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);

        s.observeQuota(a, used(0.9, Duration.ofHours(2)));
        s.observeQuota(b, null);

        assertThat(names(schedule(s, demand(key, null, "r1"))))
                .as("priority still comes first; then b, which has headroom, before a")
                .containsExactly("c", "b", "a");
        s.tried(b);
        advance(Duration.ofMillis(10));
        assertThat(names(schedule(s, demand(key, null, "r2"))))
                .as("b stays first although a is the least recently used")
                .containsExactly("c", "b", "a");
    }

    @Test
    void aQuotaPastItsResetCountsAsFullHeadroom() {
        Account a = account("a", 10, null);
        Account b = account("b", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        s.observeQuota(a, used(0.95, Duration.ofSeconds(60)));
        s.tried(b);
        advance(Duration.ofMillis(10));
        assertThat(names(schedule(s, demand(key, null, "r1")))).containsExactly("b", "a");

        advance(Duration.ofSeconds(60));

        assertThat(names(schedule(s, demand(key, null, "r2"))))
                .as("a's window reset: least recently used again")
                .containsExactly("a", "b");
    }

    @Test
    void accountsWithinAStepOfHeadroomStillTakeTurns() {
        Account a = account("a", 10, null);
        Account b = account("b", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        // 89% and 86% headroom: both round to 90%
        s.observeQuota(a, used(0.11, Duration.ofHours(2)));
        s.observeQuota(b, used(0.14, Duration.ofHours(2)));

        s.tried(a);
        advance(Duration.ofMillis(10));
        assertThat(names(schedule(s, demand(key, null, "r1")))).containsExactly("b", "a");
        s.tried(b);
        advance(Duration.ofMillis(10));
        assertThat(names(schedule(s, demand(key, null, "r2")))).containsExactly("a", "b");
    }

    @Test
    void aSessionStaysOnItsAccountUntilItsHeadroomFallsBelowTheFloor() {
        account("a", 10, null);
        Account b = account("b", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(KeyRules.NONE);
        s.served(b, demand(key, "sess", "r1"), null);

        s.observeQuota(b, used(0.9, Duration.ofHours(2)));
        assertThat(names(schedule(s, demand(key, "sess", "r2"))))
                .as("10% headroom is above the floor: the session keeps its prompt cache")
                .containsExactly("b", "a");

        advance(Duration.ofMillis(10));
        s.observeQuota(b, used(0.97, Duration.ofHours(2)));
        Scheduler.Decision d = schedule(s, demand(key, "sess", "r3"));
        assertThat(names(d))
                .as("3% headroom is below the floor: the session moves")
                .containsExactly("a", "b");
        assertThat(((Scheduler.Admitted) d).stickyAccountId()).isEqualTo(b.id());
    }

    @Test
    void aQuotaSeenByOneInstanceReachesTheOther() {
        Account a = account("a", 10, null);
        account("b", 10, null);
        Scheduler here = scheduler(store());
        Store otherStore = openStore();
        opened.add(otherStore);
        Scheduler there = scheduler(otherStore);
        ApiKey key = key(KeyRules.NONE);
        assertThat(names(schedule(there, demand(key, null, "r0")))).containsExactly("a", "b");

        here.observeQuota(a, used(0.95, Duration.ofHours(1)));
        // a read on the same connection completes after the write before it
        assertThat(await(store().state().quotas())).containsKey(a.id());

        advance(Scheduler.VIEW_TTL.plusMillis(1));
        assertThat(names(schedule(there, demand(key, null, "r1"))))
                .as("the other instance read it with its next view")
                .containsExactly("b", "a");
    }

    @Test
    void aQuotaReadingReachesTheStoreAtMostOncePerIntervalAndTheLatestIsNotLost() {
        Account a = account("a", 10, null);
        Scheduler s = scheduler(store());
        s.observeQuota(a, used(0.2, Duration.ofHours(1)));
        advance(Duration.ofMillis(100));
        s.observeQuota(a, used(0.3, Duration.ofHours(1)));
        assertThat(await(store().state().quotas()).get(a.id()).windows().values())
                .as("the second reading waits for the interval")
                .extracting(AccountQuota.Use::used)
                .containsExactly(0.2);

        advance(Scheduler.QUOTA_PUSH_INTERVAL);
        schedule(s, demand(key(KeyRules.NONE), null, "r1"));

        assertThat(await(store().state().quotas()).get(a.id()).windows().values())
                .as("written by the next request after the interval")
                .extracting(AccountQuota.Use::used)
                .containsExactly(0.3);
    }

    @Test
    void theAccountsPassedOverAreToldWithWhyForTheRequestsRecord() {
        Account a = account("a", 10, "team-x");
        account("b", 5, null);
        Account c = account("c", 20, "team-x");
        Scheduler s = scheduler(store());
        s.putOutOfRotation(
                c,
                AccountCondition.State.RATE_LIMITED,
                "429 from upstream",
                clock.instant().plusSeconds(90));
        KeyRules group = new KeyRules(
                null, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, "team-x");

        assertThat(schedule(s, demand(key(group), null, "r1")))
                .isInstanceOfSatisfying(Scheduler.Admitted.class, admitted -> {
                    assertThat(admitted.accounts()).extracting(Account::name).containsExactly("a");
                    assertThat(admitted.skipped())
                            .containsOnlyKeys("b", "c")
                            .containsEntry("b", "not in the key's account group team-x");
                    assertThat(admitted.skipped().get("c"))
                            .isEqualTo("rate-limited until 2026-06-01T12:01:30Z: 429 from upstream");
                });

        s.putOutOfRotation(
                a, AccountCondition.State.OVERLOADED, "529", clock.instant().plusSeconds(20));
        assertThat(schedule(s, demand(key(group), null, "r2")))
                .as("with none left, the refusal carries the reasons too")
                .isInstanceOfSatisfying(Scheduler.Unavailable.class, u -> assertThat(u.skipped())
                        .containsOnlyKeys("a", "b", "c")
                        .containsEntry("a", "overloaded until 2026-06-01T12:00:20Z: 529"));
    }

    @Test
    void aBoundKeyOnlyGetsItsAccountOrGroup() {
        account("a", 10, "team-x");
        account("b", 5, null);
        account("c", 20, "team-x");
        Scheduler s = scheduler(store());
        KeyRules group = new KeyRules(
                null, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, "team-x");
        KeyRules single = new KeyRules(
                null, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, "c", null);
        KeyRules missing = new KeyRules(
                null, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, "zz", null);

        assertThat(names(schedule(s, demand(key(group), null, "r1")))).containsExactly("a", "c");
        assertThat(names(schedule(s, demand(key(single), null, "r2")))).containsExactly("c");
        assertThat(schedule(s, demand(key(missing), null, "r3")))
                .isInstanceOfSatisfying(Scheduler.Unavailable.class, u -> assertThat(u.message())
                        .isEqualTo(
                                "no upstream account serves model claude-x for this key: it is bound to account zz"));
    }

    @Test
    void theConcurrencyLimitRefusesWithTheLimitAndItsResetAndLeasesComeBack() {
        account("a", 10, null);
        Scheduler s = scheduler(store());
        ApiKey key = key(concurrency(1));
        Scheduler.Decision first = schedule(s, demand(key, null, "r1"));
        assertThat(first).isInstanceOfSatisfying(Scheduler.Admitted.class, a -> assertThat(a.leaseHeld())
                .isTrue());

        Scheduler.Decision second = schedule(s, demand(key, null, "r2"));

        assertThat(second).isInstanceOfSatisfying(Scheduler.Refused.class, r -> {
            assertThat(r.admission().limit()).isEqualTo(Admission.Limit.CONCURRENCY);
            assertThat(r.message())
                    .isEqualTo("concurrency limit of this key reached: 1 of 1 requests in flight; resets at "
                            + clock.instant().plus(SchedulingConfig.DEFAULT_LEASE_TTL) + " (in 15s)");
            assertThat(s.retryAfterSeconds(r.admission())).isEqualTo(15);
        });
        s.release(key, "r1");
        assertThat(schedule(s, demand(key, null, "r3"))).isInstanceOf(Scheduler.Admitted.class);
    }

    @Test
    void aLeaseTakenForARequestNoAccountCanServeIsGivenBack() {
        Scheduler s = scheduler(store());
        ApiKey key = key(concurrency(1));

        assertThat(schedule(s, demand(key, null, "r1"))).isInstanceOf(Scheduler.Unavailable.class);

        account("a", 10, null);
        advance(Duration.ofSeconds(2));
        assertThat(schedule(s, demand(key, null, "r2"))).isInstanceOf(Scheduler.Admitted.class);
    }
}
