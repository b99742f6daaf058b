package io.relaygate.accounts.store;

import static io.relaygate.accounts.store.Futures.await;
import static io.relaygate.accounts.store.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.DuplicateNameException;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.people.DeviceGrants;
import io.relaygate.accounts.people.DeviceGrants.Approval;
import io.relaygate.accounts.people.DeviceGrants.Outcome;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInStore;
import io.relaygate.accounts.people.SignInStore.Kind;
import io.relaygate.accounts.people.SignInTokens;
import io.relaygate.core.Ids;
import io.relaygate.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend must do for people and sign-ins; {@link LocalSignInStoreTest} and {@link RedisSignInStoreTest}
 * run it on fresh state. Token and device-code expiry is driven by a fake clock; the store's own time to live is
 * checked once against real time.
 */
abstract class SignInStoreContract {

    @TempDir
    Path dataDir;

    private final List<Store> opened = new ArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T01:00:00Z"));

    /** Opens a store on this test's backing state (same data folder or Redis prefix), with a pepper. */
    abstract Store openStore(Map<String, String> env);

    /** Everything the backend holds, raw, to look for clear-text tokens. */
    abstract String rawState() throws Exception;

    final Store open() {
        Store s = openStore(Map.of());
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    SignInTokens tokens(Store store) {
        return new SignInTokens(
                store.signIns(), store.keys().hasher(), clock, Duration.ofMinutes(10), Duration.ofDays(7));
    }

    DeviceGrants grants(Store store) {
        return new DeviceGrants(store.signIns(), clock, Duration.ofMinutes(10), 5);
    }

    static Person person(String name) {
        return new Person(
                Ids.random(10),
                name,
                name + "@example.com",
                null,
                List.of("dev"),
                true,
                Ids.random(10),
                Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void peopleHaveUniqueNamesAreFoundByIdAndNameAndListedByName() {
        Store one = open();
        Person bob = await(one.people().create(person("bob")));
        Person alice = await(one.people().create(person("alice")));
        Store two = open();
        assertThat(await(two.people().findById(alice.id()))).contains(alice);
        assertThat(await(two.people().findByName("bob"))).contains(bob);
        assertThat(await(two.people().list())).containsExactly(alice, bob);
        assertThat(failure(two.people().create(person("alice")))).isInstanceOf(DuplicateNameException.class);
        await(two.people().update(alice.withEnabled(false)));
        // a store opened afterwards reads the change (a running one may serve its snapshot until its recheck)
        assertThat(await(open().people().findByName("alice")).orElseThrow().enabled())
                .isFalse();
    }

    static Person withSubject(Person p, @org.jspecify.annotations.Nullable String subject) {
        return new Person(p.id(), p.name(), p.email(), subject, p.groups(), p.enabled(), p.keyId(), p.createdAt());
    }

    @Test
    void aPersonIsFoundByTheirSubjectWhichFollowsEveryEditAndIsUnique() {
        Store one = open();
        Person alice = await(one.people().create(withSubject(person("alice"), "idp|alice")));
        Person bob = await(one.people().create(person("bob")));
        Store two = open();
        assertThat(await(two.people().findBySubject("idp|alice"))).contains(alice);
        assertThat(await(two.people().findBySubject("idp|nobody"))).isEmpty();
        assertThat(failure(two.people().create(withSubject(person("carol"), "idp|alice"))))
                .as("one identity-provider account signs in as one person")
                .isInstanceOf(io.relaygate.core.GatewayException.class)
                .hasMessageContaining("idp|alice");
        assertThat(failure(two.people().update(withSubject(bob, "idp|alice"))))
                .as("nor may an edit take another person's subject")
                .hasMessageContaining("belongs to another person");

        // an edit moves the subject: the old one finds nobody, the new one the person
        Person moved = await(two.people().update(withSubject(alice, "idp|alice-2")));
        assertThat(await(open().people().findBySubject("idp|alice"))).isEmpty();
        assertThat(await(open().people().findBySubject("idp|alice-2"))).contains(moved);
        // the freed subject can go to someone else; taking it away finds nobody
        Person bobs = await(two.people().update(withSubject(bob, "idp|alice")));
        assertThat(await(open().people().findBySubject("idp|alice"))).contains(bobs);
        await(two.people().update(withSubject(moved, null)));
        assertThat(await(open().people().findBySubject("idp|alice-2"))).isEmpty();
        assertThat(await(open().people().findBySubject(""))).isEmpty();
    }

    @Test
    void aTokenIssuedByOneInstanceIsAcceptedByAnotherAndOnlyItsHashIsStored() throws Exception {
        Store one = open();
        Store two = open();
        Person alice = person("alice");
        SignInTokens.Issued issued = await(tokens(one).issue(alice, "claude-code/2.1.330", "127.0.0.1"));

        assertThat(await(tokens(two).authenticate(issued.accessToken())))
                .map(s -> s.keyId())
                .contains(alice.keyId());
        assertThat(await(tokens(two).authenticate(issued.refreshToken())))
                .as("a refresh token is not an access token")
                .isEmpty();
        String tampered = issued.accessToken().substring(0, issued.accessToken().length() - 1)
                + (issued.accessToken().endsWith("a") ? "b" : "a");
        assertThat(await(tokens(two).authenticate(tampered))).isEmpty();
        assertThat(rawState())
                .as("neither token is stored in the clear")
                .doesNotContain(issued.accessToken().substring(21))
                .doesNotContain(issued.refreshToken().substring(21))
                .contains("p1:");
    }

    @Test
    void anAccessTokenRunsOutAndARefreshRotatesBothTokensOnce() {
        Store store = open();
        SignInTokens tokens = tokens(store);
        SignInTokens.Issued first = await(tokens.issue(person("alice"), "claude-code/2.1.330", "127.0.0.1"));
        clock.advance(Duration.ofMinutes(11));
        assertThat(await(tokens.authenticate(first.accessToken())))
                .as("past its 10 minutes")
                .isEmpty();

        SignInTokens.Issued second = await(tokens.refresh(first.refreshToken())).orElseThrow();
        assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
        assertThat(second.session().generation()).isEqualTo(1);
        assertThat(await(tokens.authenticate(second.accessToken()))).isPresent();
        assertThat(await(tokens.refresh(first.refreshToken())))
                .as("a used refresh token is refused")
                .isEmpty();
        assertThat(await(tokens(open()).authenticate(first.accessToken()))).isEmpty();

        clock.advance(Duration.ofDays(8));
        assertThat(await(tokens.refresh(second.refreshToken())))
                .as("no refresh after the session's end")
                .isEmpty();
    }

    @Test
    void ofTwoInstancesRefreshingWithOneTokenOnlyOneGetsNewTokens() {
        Store one = open();
        Store two = open();
        SignInTokens.Issued issued = await(tokens(one).issue(person("alice"), "cc", "127.0.0.1"));
        List<CompletableFuture<Optional<SignInTokens.Issued>>> races = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            races.add(tokens(i % 2 == 0 ? one : two)
                    .refresh(issued.refreshToken())
                    .toCompletableFuture());
        }
        long won = races.stream().map(f -> f.join()).filter(Optional::isPresent).count();
        assertThat(won).isEqualTo(1);
    }

    @Test
    void aRevokedSessionRefusesBothTokensEverywhere() {
        Store one = open();
        Store two = open();
        SignInTokens.Issued issued = await(tokens(one).issue(person("alice"), "cc", "127.0.0.1"));
        assertThat(await(tokens(two).sessions(null))).hasSize(1);
        assertThat(await(tokens(two).revokeToken(issued.refreshToken()))).isTrue();
        assertThat(await(tokens(one).authenticate(issued.accessToken()))).isEmpty();
        assertThat(await(tokens(one).refresh(issued.refreshToken()))).isEmpty();
        assertThat(await(tokens(one).sessions(null))).isEmpty();
        assertThat(await(tokens(one).revoke(issued.session().id()))).isFalse();
    }

    @Test
    void aDeviceCodeIsPendingSlowedDownApprovedOnceThenInvalid() {
        Store one = open();
        Store two = open();
        DeviceGrants.Started started = await(grants(one).start("claude-code/2.1.330 surface=claude_code"));
        assertThat(started.userCode()).matches("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");

        assertThat(await(grants(two).poll(started.deviceCode())).outcome()).isEqualTo(Outcome.PENDING);
        assertThat(await(grants(two).poll(started.deviceCode())).outcome())
                .as("polled again before the interval")
                .isEqualTo(Outcome.SLOW_DOWN);
        clock.advance(Duration.ofSeconds(11));
        assertThat(await(grants(one).poll(started.deviceCode())).outcome()).isEqualTo(Outcome.PENDING);

        assertThat(await(grants(two).answer(started.userCode().toLowerCase(), "person-1", true)))
                .as("the code is read in any case, with its dash")
                .isEqualTo(Approval.APPROVED);
        assertThat(await(grants(two).answer(started.userCode(), "person-2", true)))
                .as("an answered code cannot be approved again")
                .isEqualTo(Approval.UNKNOWN_CODE);
        DeviceGrants.Poll approved = await(grants(one).poll(started.deviceCode()));
        assertThat(approved.outcome()).isEqualTo(Outcome.APPROVED);
        assertThat(approved.personId()).isEqualTo("person-1");
        assertThat(await(grants(two).poll(started.deviceCode())).outcome())
                .as("single use")
                .isEqualTo(Outcome.INVALID);
        assertThat(await(grants(two).poll("not-a-device-code")).outcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void aDeniedDeviceCodeIsDeniedAndAnUnansweredOneExpires() {
        Store store = open();
        DeviceGrants grants = grants(store);
        DeviceGrants.Started denied = await(grants.start("cc"));
        DeviceGrants.Started late = await(grants.start("cc"));
        assertThat(await(grants.answer(denied.userCode(), "p", false))).isEqualTo(Approval.DENIED);
        assertThat(await(grants.poll(denied.deviceCode())).outcome()).isEqualTo(Outcome.DENIED);
        clock.advance(Duration.ofMinutes(11));
        assertThat(await(grants.poll(late.deviceCode())).outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(await(grants.answer(late.userCode(), "p", true))).isEqualTo(Approval.EXPIRED);
    }

    @Test
    void aSignInLinkWorksOnceOnAnyInstanceAndIsStoredOnlyAsADigest() throws Exception {
        Store one = open();
        Store two = open();
        String link = await(grants(one).createLink("person-1", Duration.ofHours(24)));
        assertThat(rawState()).doesNotContain(link);
        assertThat(await(grants(two).peekLink(link))).contains("person-1");
        assertThat(await(grants(two).redeemLink(link))).contains("person-1");
        assertThat(await(grants(one).redeemLink(link))).isEmpty();
        String expired = await(grants(one).createLink("person-1", Duration.ofHours(1)));
        clock.advance(Duration.ofHours(2));
        assertThat(await(grants(two).redeemLink(expired))).isEmpty();
    }

    @Test
    void aPendingSingleSignOnIsTakenOnceByWhicheverInstanceGetsTheCallback() {
        Store one = open();
        Store two = open();
        String id = "a1b2c3d4e5f6";
        await(one.signIns().put(SignInStore.Kind.SSO, id, "{\"userCode\":\"WDJBMJHT\"}", Duration.ofMinutes(10)));
        assertThat(await(two.signIns().take(SignInStore.Kind.SSO, id))).contains("{\"userCode\":\"WDJBMJHT\"}");
        assertThat(await(one.signIns().take(SignInStore.Kind.SSO, id))).isEmpty();
        assertThat(await(one.signIns().get(SignInStore.Kind.LINK, id)))
                .as("kinds are separate")
                .isEmpty();
    }

    @Test
    void theManagedSettingsDocumentIsSharedByInstances() {
        Store one = open();
        Store two = open();
        String doc = "{\"groups\":{\"dev\":{\"model\":\"claude-sonnet-5-5\"}}}";
        await(one.documents().put(io.relaygate.accounts.Documents.MANAGED_SETTINGS, doc));
        assertThat(await(two.documents().get(io.relaygate.accounts.Documents.MANAGED_SETTINGS)))
                .contains(doc);
        await(two.documents().remove(io.relaygate.accounts.Documents.MANAGED_SETTINGS));
        assertThat(await(one.documents().get(io.relaygate.accounts.Documents.MANAGED_SETTINGS)))
                .isEmpty();
    }

    @Test
    void recordsCompareAndSetTakeOnceAndRunOut() throws Exception {
        Store store = open();
        await(store.signIns().put(Kind.SESSION, "s1", "a", Duration.ofMinutes(1)));
        assertThat(await(store.signIns().replace(Kind.SESSION, "s1", "b", "c", Duration.ofMinutes(1))))
                .isFalse();
        assertThat(await(store.signIns().replace(Kind.SESSION, "s1", "a", "c", Duration.ofMinutes(1))))
                .isTrue();
        assertThat(await(store.signIns().get(Kind.SESSION, "s1"))).contains("c");
        assertThat(await(store.signIns().get(Kind.LINK, "s1")))
                .as("kinds are apart")
                .isEmpty();
        assertThat(await(store.signIns().take(Kind.SESSION, "s1"))).contains("c");
        assertThat(await(store.signIns().take(Kind.SESSION, "s1"))).isEmpty();

        await(store.signIns().put(Kind.DEVICE, "short", "v", Duration.ofMillis(50)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (await(store.signIns().get(Kind.DEVICE, "short")).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(await(store.signIns().get(Kind.DEVICE, "short"))).isEmpty();
        assertThat(await(store.signIns().all(Kind.DEVICE))).isEmpty();
    }
}
