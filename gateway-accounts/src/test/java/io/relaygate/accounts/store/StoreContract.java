package io.relaygate.accounts.store;

import static io.relaygate.accounts.store.Futures.await;
import static io.relaygate.accounts.store.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.Documents;
import io.relaygate.accounts.DuplicateNameException;
import io.relaygate.accounts.LiveDocument;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreChange;
import io.relaygate.accounts.StoreException;
import io.relaygate.accounts.ledger.RequestQuery;
import io.relaygate.accounts.ledger.RequestRecord;
import io.relaygate.accounts.ledger.RequestRecords;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ClientKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The semantics every Store backend must have; {@link LocalStoreTest} and {@link RedisStoreTest} run it. Each test
 * works on fresh state: a new data folder, and for Redis a new key prefix.
 */
abstract class StoreContract {

    static final String CREDENTIAL = "sk-ant-api03-SECRETcredential0123456789";
    static final String PROXY_PASSWORD = "proxyPassw0rdXYZ";

    @TempDir
    Path dataDir;

    private final List<Store> opened = new ArrayList<>();

    /** Opens a store on this test's backing state (same data folder, same Redis prefix) with {@code env}. */
    abstract Store openStore(Map<String, String> env);

    /** Everything the backend holds, raw (file contents or Redis values), to look for clear-text secrets. */
    abstract String rawState() throws Exception;

    /** Lets every open instance notice other instances' changes (moves a fake clock where the backend caches). */
    abstract void advancePastRecheck();

    final Store open(Map<String, String> env) {
        Store store = openStore(env);
        opened.add(store);
        return store;
    }

    final Store open() {
        return open(Map.of());
    }

    private final List<RedisLink> links = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
        links.forEach(RedisLink::close);
    }

    /** A Redis backend's records on a link of their own, kept to about {@code keep}. */
    final RequestRecords redisRequests(String url, String prefix, int keep) {
        RedisLink link = RedisLink.open(url, new CommandEvents());
        links.add(link);
        return new RedisRequestRecords(link.commands(), prefix, keep);
    }

    static ApiKey key(String name) {
        KeyRules rules = new KeyRules(
                4,
                100L,
                Duration.ofMinutes(1),
                50_000L,
                Duration.ofHours(1),
                5.0,
                20.0,
                null,
                List.of("claude-sonnet-4-5"),
                List.of("claude-opus-4-1"),
                Set.of(ClientKind.CLAUDE_CODE, ClientKind.CODEX),
                Instant.parse("2026-12-31T00:00:00Z"),
                null,
                "team-a");
        return new ApiKey(
                Ids.random(10),
                name,
                "rg_abcdefghi",
                "c2FsdA==",
                "aGFzaA==",
                true,
                Instant.parse("2025-01-02T03:04:05Z"),
                rules);
    }

    static Account account(String name, int priority) {
        return new Account(
                Ids.random(10),
                name,
                AccountKind.ANTHROPIC_API,
                "https://api.anthropic.com",
                CREDENTIAL,
                "socks5://user:" + PROXY_PASSWORD + "@proxy.example:1080",
                priority,
                true,
                "team-a",
                List.of("claude-sonnet-4-5"),
                Map.of("haiku", "claude-haiku-4-5"),
                Instant.parse("2025-01-02T03:04:05Z"),
                null,
                Map.of());
    }

    @Test
    void sharedStateCountersAndConditionsSurviveReopeningTheStore() {
        Instant at = Instant.parse("2026-05-06T07:08:09Z");
        Store first = open();
        await(first.state()
                .record(new io.relaygate.accounts.state.UsageRecord(
                        "kid",
                        "aid",
                        "claude-x",
                        io.relaygate.accounts.state.UsageCounters.of(
                                new io.relaygate.core.Usage(11, 22, 0, 0), false, 33),
                        at,
                        null)));
        await(first.state()
                .setCondition(
                        "aid",
                        new io.relaygate.accounts.state.AccountCondition(
                                io.relaygate.accounts.state.AccountCondition.State.UNAUTHORIZED,
                                "invalid x-api-key",
                                at,
                                null)));
        io.relaygate.accounts.state.AccountQuota quota = new io.relaygate.accounts.state.AccountQuota(
                java.util.Map.of(
                        io.relaygate.accounts.state.AccountQuota.Window.UNIFIED_5H,
                        io.relaygate.accounts.state.AccountQuota.Use.of(0.62, at.plusSeconds(3600))),
                at);
        await(first.state().setQuota("aid", quota));
        first.close();

        Store second = open();

        assertThat(await(second.state()
                        .usage(
                                io.relaygate.accounts.state.UsageScope.KEY,
                                io.relaygate.accounts.state.Period.TOTAL,
                                at)))
                .singleElement()
                .satisfies(r -> assertThat(r.counters().costMicros()).isEqualTo(33));
        assertThat(await(second.state().conditions(at))).containsOnlyKeys("aid");
        assertThat(await(second.state().quotas())).containsExactly(java.util.Map.entry("aid", quota));
    }

    @Test
    void createdKeyIsFoundByIdAndByNameWithAllItsRules() {
        Store store = open();
        ApiKey key = key("alice");

        await(store.keys().create(key));

        assertThat(await(store.keys().findById(key.id()))).as("lookup by id").contains(key);
        assertThat(await(store.keys().findByName("alice"))).as("lookup by name").contains(key);
        assertThat(await(store.keys().findById("nosuchid00"))).as("unknown id").isEmpty();
        assertThat(await(store.keys().findByName("bob"))).as("unknown name").isEmpty();
    }

    @Test
    void listsAreOrderedByName() {
        Store store = open();
        for (String name : List.of("carol", "alice", "bob")) {
            await(store.keys().create(key(name)));
            await(store.accounts().create(account("acct-" + name, 50)));
        }

        assertThat(await(store.keys().list())).extracting(ApiKey::name).containsExactly("alice", "bob", "carol");
        assertThat(await(store.accounts().list()))
                .extracting(Account::name)
                .containsExactly("acct-alice", "acct-bob", "acct-carol");
    }

    @Test
    void duplicateNamesAreRefused() {
        Store store = open();
        await(store.keys().create(key("alice")));
        await(store.accounts().create(account("main", 10)));

        assertThat(failure(store.keys().create(key("alice"))))
                .as("a second key with a taken name")
                .isInstanceOf(DuplicateNameException.class)
                .hasMessageContaining("alice");
        assertThat(failure(store.accounts().create(account("main", 20))))
                .as("a second account with a taken name")
                .isInstanceOf(DuplicateNameException.class)
                .hasMessageContaining("main");
        assertThat(((GatewayException) failure(store.keys().create(key("alice")))).kind())
                .isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(await(store.keys().list())).as("nothing was added").hasSize(1);
    }

    @Test
    void updateReplacesByIdAndFreesTheOldNameOnRename() {
        Store store = open();
        ApiKey key = await(store.keys().create(key("alice")));

        ApiKey renamed = new ApiKey(
                key.id(), "alice2", key.prefix(), key.salt(), key.secretHash(), false, key.createdAt(), KeyRules.NONE);
        await(store.keys().update(renamed));

        assertThat(await(store.keys().findById(key.id()))).contains(renamed);
        assertThat(await(store.keys().findByName("alice2"))).contains(renamed);
        assertThat(await(store.keys().findByName("alice"))).as("old name freed").isEmpty();
        await(store.keys().create(key("alice")));
        assertThat(await(store.keys().list())).hasSize(2);
    }

    @Test
    void updateOfAnUnknownIdOrOntoATakenNameFails() {
        Store store = open();
        await(store.accounts().create(account("one", 10)));
        Account two = await(store.accounts().create(account("two", 20)));

        Throwable unknown = failure(store.accounts().update(account("three", 30)));
        assertThat(unknown).isInstanceOf(GatewayException.class);
        assertThat(((GatewayException) unknown).kind()).isEqualTo(ErrorKind.NOT_FOUND);

        Account clash = new Account(
                two.id(),
                "one",
                two.kind(),
                two.baseUrl(),
                two.credential(),
                two.proxy(),
                two.priority(),
                two.schedulable(),
                two.group(),
                two.models(),
                two.modelMap(),
                two.createdAt(),
                null,
                Map.of());
        assertThat(failure(store.accounts().update(clash))).isInstanceOf(DuplicateNameException.class);
        assertThat(await(store.accounts().findByName("two"))).as("unchanged").contains(two);
    }

    @Test
    void accountRoundTripsEveryField() {
        Store store = open();
        Account account = account("main", 7).withSchedulable(false);

        await(store.accounts().create(account));

        Account found = await(store.accounts().findByName("main")).orElseThrow();
        assertThat(found).isEqualTo(account);
        assertThat(found.credential()).isEqualTo(CREDENTIAL);
        assertThat(await(store.accounts().findById(account.id()))).contains(account);
    }

    @Test
    void extraHeadersRoundTripInOrderAndTheirValuesAreEncryptedAtRest() throws Exception {
        Store store = open();
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("X-Team", "HEADERvalueSECRET1");
        headers.put("OpenAI-Organization", "org-HEADERvalueSECRET2");
        Account account = account("main", 7).withHeaders(headers);

        await(store.accounts().create(account));
        await(store.accounts().create(account("plain", 7)));

        Account found = await(store.accounts().findByName("main")).orElseThrow();
        assertThat(found).isEqualTo(account);
        assertThat(found.headers())
                .containsExactly(
                        Map.entry("X-Team", "HEADERvalueSECRET1"),
                        Map.entry("OpenAI-Organization", "org-HEADERvalueSECRET2"));
        assertThat(await(store.accounts().findByName("plain")).orElseThrow().headers())
                .as("an account without headers reads back with none")
                .isEmpty();
        assertThat(rawState()).as("header values never in clear text").doesNotContain("HEADERvalueSECRET");
        assertThat(found.toString())
                .as("toString names headers, never values")
                .contains("X-Team")
                .doesNotContain("HEADERvalueSECRET");

        Account edited = found.withHeaders(Map.of("X-Team", "other"));
        await(store.accounts().update(edited));
        assertThat(await(store.accounts().findByName("main")).orElseThrow().headers())
                .containsExactly(Map.entry("X-Team", "other"));
    }

    @Test
    void credentialsAndProxyPasswordsAreEncryptedAtRest() throws Exception {
        Store store = open();
        await(store.accounts().create(account("main", 10)));
        await(store.accounts().create(account("other", 10).withCredential(null)));

        String raw = rawState();

        assertThat(raw).as("the record is there").contains("main").contains("api.anthropic.com");
        assertThat(raw).as("credential never in clear text").doesNotContain(CREDENTIAL);
        assertThat(raw).as("nor part of it").doesNotContain("SECRETcredential");
        assertThat(raw).as("proxy password never in clear text").doesNotContain(PROXY_PASSWORD);
        assertThat(raw).as("sealed values carry the format version").contains(CredentialCipher.VERSION);
    }

    @Test
    void aSecondInstanceOnTheSameStateSeesTheFirstOnesChanges() {
        Store gateway = open();
        Store cli = open();
        assertThat(await(gateway.keys().list())).isEmpty();

        ApiKey key = await(cli.keys().create(key("alice")));
        assertThat(await(gateway.keys().findById(key.id())))
                .as("a lookup miss re-reads at once, so a key made by the CLI works immediately")
                .contains(key);

        await(cli.keys().update(key.withEnabled(false)));
        await(cli.accounts().create(account("main", 10)));
        advancePastRecheck();

        assertThat(await(gateway.keys().findById(key.id())).orElseThrow().enabled())
                .as("a disable by the CLI reaches the running gateway")
                .isFalse();
        assertThat(await(gateway.accounts().list())).extracting(Account::name).containsExactly("main");
        assertThat(await(gateway.accounts().findByName("main")).orElseThrow().credential())
                .isEqualTo(CREDENTIAL);
    }

    @Test
    void theGeneratedKeyFileIsReusedOnRestart() throws Exception {
        Store first = open();
        await(first.accounts().create(account("main", 10)));
        Path keyFile = dataDir.resolve(CredentialCipher.KEY_FILE);
        assertThat(keyFile).as("generated on first start").exists();
        String generated = Files.readString(keyFile);
        first.close();

        Store second = open();

        assertThat(await(second.accounts().findByName("main")).orElseThrow().credential())
                .as("readable after a restart")
                .isEqualTo(CREDENTIAL);
        assertThat(Files.readString(keyFile)).as("not regenerated").isEqualTo(generated);
    }

    @Test
    void aWrongKeyGivesAClearErrorNamingTheAccountNotTheSecret() {
        Store right = open(Map.of(CredentialCipher.KEY_ENV, randomKey()));
        await(right.accounts().create(account("main", 10)));
        await(right.keys().create(key("alice")));

        Store wrong = open(Map.of(CredentialCipher.KEY_ENV, randomKey()));
        advancePastRecheck();

        Throwable error = failure(wrong.accounts().findByName("main"));
        assertThat(error).isInstanceOf(StoreException.class);
        assertThat(error.getMessage())
                .as("names the account and the cause")
                .contains("account main")
                .contains("different key")
                .doesNotContain(CREDENTIAL)
                .doesNotContain(PROXY_PASSWORD);
        assertThat(await(wrong.keys().findByName("alice")))
                .as("keys hold no encrypted data and stay readable")
                .isPresent();
    }

    @Test
    void keySecretsAreHashedUnderThePepperAndUselessWithoutIt() {
        String pepper = randomKey();
        Store store = open(Map.of(StoreFactory.PEPPER_ENV, pepper));
        io.relaygate.accounts.ApiKeyService keys = new io.relaygate.accounts.ApiKeyService(store.keys());
        io.relaygate.accounts.CreatedKey created = await(keys.create("alice", KeyRules.NONE));

        assertThat(await(store.keys().findById(created.key().id()))
                        .orElseThrow()
                        .secretHash())
                .startsWith("p1:");
        assertThat(await(keys.authenticate(created.secret()))).isPresent();
        Store otherPepper = open(Map.of(StoreFactory.PEPPER_ENV, randomKey()));
        advancePastRecheck();
        assertThat(await(new io.relaygate.accounts.ApiKeyService(otherPepper.keys()).authenticate(created.secret())))
                .as("the stored hash alone cannot check a secret")
                .isEmpty();
        assertThat(dataDir.resolve(StoreFactory.PEPPER_FILE))
                .as("the environment's pepper is used, no file written")
                .doesNotExist();
    }

    @Test
    void anUnpepperedHashStillMatchesAndIsRewrittenUnderThePepperOnItsFirstUse() throws Exception {
        Store store = open(Map.of(StoreFactory.PEPPER_ENV, randomKey()));
        String id = Ids.random(10);
        String secret = "rg_" + id + "_" + Ids.random(32);
        byte[] salt = Ids.randomBytes(16);
        String legacy = io.relaygate.accounts.KeyHasher.unpeppered().hash(salt, secret);
        await(store.keys()
                .create(new ApiKey(
                        id,
                        "old-key",
                        secret.substring(0, 12),
                        Base64.getEncoder().encodeToString(salt),
                        legacy,
                        true,
                        Instant.EPOCH,
                        KeyRules.NONE)));
        io.relaygate.accounts.ApiKeyService keys = new io.relaygate.accounts.ApiKeyService(store.keys());

        assertThat(await(keys.authenticate(secret.substring(0, secret.length() - 1) + "!")))
                .isEmpty();
        assertThat(await(store.keys().findById(id)).orElseThrow().secretHash())
                .as("a wrong secret migrates nothing")
                .isEqualTo(legacy);
        assertThat(await(keys.authenticate(secret))).isPresent();
        ApiKey migrated = null;
        for (int i = 0; i < 200 && (migrated == null || !migrated.secretHash().startsWith("p1:")); i++) {
            Thread.sleep(25);
            migrated = await(store.keys().findById(id)).orElseThrow();
        }
        assertThat(migrated.secretHash()).as("rewritten after the first use").startsWith("p1:");
        assertThat(migrated.salt())
                .as("with a new salt")
                .isNotEqualTo(Base64.getEncoder().encodeToString(salt));
        assertThat(migrated.name()).isEqualTo("old-key");
        assertThat(await(new io.relaygate.accounts.ApiKeyService(store.keys()).authenticate(secret)))
                .isPresent();
    }

    @Test
    void aRotatedCredentialKeyStillOpensValuesSealedUnderThePreviousOne() {
        String oldKey = randomKey();
        Store before = open(Map.of(CredentialCipher.KEY_ENV, oldKey));
        await(before.accounts().create(account("main", 10)));

        String newKey = randomKey();
        Store after = open(Map.of(CredentialCipher.KEY_ENV, newKey, CredentialCipher.PREVIOUS_ENV, oldKey));
        advancePastRecheck();
        Account read = await(after.accounts().findByName("main")).orElseThrow();
        assertThat(read.credential()).isEqualTo(CREDENTIAL);
        await(after.accounts().update(read.withCredential(read.credential())));

        Store onlyNew = open(Map.of(CredentialCipher.KEY_ENV, newKey));
        advancePastRecheck();
        assertThat(await(onlyNew.accounts().findByName("main")).orElseThrow().credential())
                .as("written again under the new key")
                .isEqualTo(CREDENTIAL);
    }

    @Test
    void aLockHasOneOwnerUntilItIsGivenBackOrRunsOut() throws Exception {
        Store store = open();
        assertThat(await(store.locks().tryLock("refresh:acc1", "one", Duration.ofSeconds(30))))
                .isTrue();
        assertThat(await(store.locks().tryLock("refresh:acc1", "two", Duration.ofSeconds(30))))
                .as("held by one")
                .isFalse();
        assertThat(await(store.locks().tryLock("refresh:acc2", "two", Duration.ofSeconds(30))))
                .as("another name is another lock")
                .isTrue();
        await(store.locks().unlock("refresh:acc1", "two"));
        assertThat(await(store.locks().tryLock("refresh:acc1", "two", Duration.ofSeconds(30))))
                .as("only the owner gives a lock back")
                .isFalse();
        await(store.locks().unlock("refresh:acc1", "one"));
        assertThat(await(store.locks().tryLock("refresh:acc1", "two", Duration.ofSeconds(30))))
                .isTrue();

        assertThat(await(store.locks().tryLock("short", "one", Duration.ofMillis(30))))
                .isTrue();
        Thread.sleep(100);
        assertThat(await(store.locks().tryLock("short", "two", Duration.ofSeconds(30))))
                .as("a lease whose holder never gave it back runs out")
                .isTrue();
    }

    static String randomKey() {
        return Base64.getEncoder().encodeToString(Ids.randomBytes(CredentialCipher.KEY_BYTES));
    }

    /** Waits (bounded) for the first change of {@code kind} among those told to {@code told}. */
    static StoreChange nextOf(BlockingQueue<StoreChange> told, StoreChange.Kind kind) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            StoreChange c = told.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (c != null && c.kind() == kind) {
                return c;
            }
        }
        throw new AssertionError("no " + kind + " change told within 5 s");
    }

    @Test
    void keyAndAccountChangesWrittenByOneInstanceAreToldToAnothersListeners() throws Exception {
        Store gateway = open();
        Store cli = open();
        BlockingQueue<StoreChange> told = new LinkedBlockingQueue<>();
        gateway.changes().subscribe(told::add);

        ApiKey key = await(cli.keys().create(key("alice")));
        StoreChange created = nextOf(told, StoreChange.Kind.KEY);
        await(cli.keys().update(key.withEnabled(false)));
        StoreChange disabled = nextOf(told, StoreChange.Kind.KEY);
        Account account = await(cli.accounts().create(account("main", 10)));
        StoreChange added = nextOf(told, StoreChange.Kind.ACCOUNT);

        // the embedded store learns other processes' writes from its file watch, which knows the file, not the row
        assertThat(created.id()).as("the key, or every key").isIn(key.id(), null);
        assertThat(disabled.id()).as("the key, or every key").isIn(key.id(), null);
        assertThat(added.id()).as("the account, or every account").isIn(account.id(), null);
        assertThat(await(gateway.keys().findById(key.id())).orElseThrow().enabled())
                .as("a lookup after the change was told sees it")
                .isFalse();
    }

    @Test
    void aListenerThatClosedItsSubscriptionIsToldNothingMore() throws Exception {
        Store store = open();
        BlockingQueue<StoreChange> told = new LinkedBlockingQueue<>();
        BlockingQueue<StoreChange> other = new LinkedBlockingQueue<>();
        AutoCloseable subscription = store.changes().subscribe(told::add);
        store.changes().subscribe(other::add);
        subscription.close();

        await(store.keys().create(key("alice")));
        nextOf(other, StoreChange.Kind.KEY);

        assertThat(told).isEmpty();
    }

    /** The records of a backend kept to about {@code keep} (a few hundred bytes each), for the bound. */
    abstract RequestRecords boundedRequests(int keep) throws Exception;

    static RequestRecord record(String id, Instant time, String key, String account, int status, long input) {
        return new RequestRecord(
                id,
                time,
                "id-" + key,
                key,
                "claude-code",
                "anthropic",
                "claude-sonnet-4-5",
                status,
                status == 200 ? "COMPLETED" : "REFUSED",
                status == 200 ? null : "rate_limit",
                800,
                120,
                input,
                20,
                0,
                0,
                0.0012,
                "exact",
                account == null
                        ? List.of()
                        : List.of(
                                new RequestRecord.Attempt("spare", 529, 30, 0, 0, "overloaded"),
                                new RequestRecord.Attempt(account, 200, 770, input, 20, null)),
                account == null ? List.of() : List.of(new RequestRecord.Candidate(account, null)));
    }

    @Test
    void requestRecordsAreReadNewestFirstByKeyAccountAndTimeRange() {
        Store store = open();
        Instant t0 = Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<RequestRecord> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batch.add(record(
                    "req_" + i,
                    t0.plusSeconds(i * 10L),
                    i % 3 == 0 ? "alice" : "bob",
                    i % 2 == 0 ? "main" : "backup",
                    i % 5 == 4 ? 429 : 200,
                    i));
        }
        await(store.requests().append(batch.subList(0, 10)));
        await(store.requests().append(batch.subList(10, 30)));

        List<RequestRecord> alice =
                await(store.requests().read(new RequestQuery("alice", null, null, null, RequestQuery.MAX_LIMIT)));
        assertThat(alice)
                .as("a key's records, newest first, by name")
                .extracting(RequestRecord::id)
                .containsExactly(
                        "req_27", "req_24", "req_21", "req_18", "req_15", "req_12", "req_9", "req_6", "req_3", "req_0");
        assertThat(await(store.requests().read(new RequestQuery("id-alice", null, null, null, 3))))
                .as("by id too, and at most the limit")
                .extracting(RequestRecord::id)
                .containsExactly("req_27", "req_24", "req_21");
        assertThat(await(store.requests()
                        .read(new RequestQuery(null, "main", t0.plusSeconds(100), t0.plusSeconds(160), 100))))
                .as("an account's attempts in [since, until)")
                .extracting(RequestRecord::id)
                .containsExactly("req_14", "req_12", "req_10");
        assertThat(await(store.requests().read(new RequestQuery(null, "spare", null, null, 100))))
                .as("an account that was only tried (and failed over) still finds the request")
                .hasSize(30);
        RequestRecord read = await(store.requests().read(new RequestQuery("bob", null, null, null, 1)))
                .get(0);
        assertThat(read).as("a record reads back as it was written").isEqualTo(batch.get(29));
        assertThat(await(store.requests().read(new RequestQuery("carol", null, null, null, 10))))
                .isEmpty();
    }

    @Test
    void requestRecordsAreBounded() throws Exception {
        RequestRecords records = boundedRequests(100);
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        for (int b = 0; b < 10; b++) {
            List<RequestRecord> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = b * 50 + i;
                batch.add(record("req_" + n, t0.plusMillis(n), "alice", "main", 200, n));
            }
            await(records.append(batch));
        }
        List<RequestRecord> kept = await(records.read(new RequestQuery(null, null, null, null, 1000)));
        assertThat(kept.size()).as("500 written, about 100 kept").isBetween(100, 300);
        assertThat(kept.get(0).id()).as("the newest are kept").isEqualTo("req_499");
    }

    @Test
    void theAdminPasswordIsSetOnceAtFirstStartAndResetLaterAndSeenByAnotherInstance() {
        Store one = open();
        Store two = open();
        assertThat(await(one.admin().passwordHash())).isEmpty();
        assertThat(await(one.admin().initPasswordHash("$2a$first"))).isTrue();
        assertThat(await(two.admin().initPasswordHash("$2a$second")))
                .as("a second first start keeps the first hash")
                .isFalse();
        assertThat(await(two.admin().passwordHash())).contains("$2a$first");
        await(two.admin().setPasswordHash("$2a$reset"));
        assertThat(await(one.admin().passwordHash())).contains("$2a$reset");
    }

    @Test
    void sessionsAreSharedByInstancesEndOnDeleteAndSurviveAReopen() {
        Store one = open();
        await(one.admin().putSession("digest-a", "{\"csrf\":\"x\"}", Duration.ofMinutes(30)));
        await(one.admin().putSession("digest-b", "b", Duration.ofMinutes(30)));
        Store two = open();
        assertThat(await(two.admin().session("digest-a"))).contains("{\"csrf\":\"x\"}");
        await(two.admin().deleteSession("digest-a"));
        assertThat(await(two.admin().session("digest-a"))).isEmpty();
        assertThat(await(two.admin().session("digest-b"))).contains("b");
        await(two.admin().deleteAllSessions());
        assertThat(await(two.admin().session("digest-b"))).isEmpty();
        assertThat(await(two.admin().session("never"))).isEmpty();
    }

    @Test
    void aSessionEndsWhenItsTimeRunsOut() throws Exception {
        Store store = open();
        await(store.admin().putSession("short", "v", Duration.ofMillis(50)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (await(store.admin().session("short")).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(await(store.admin().session("short"))).isEmpty();
    }

    @Test
    void failedSignInsAreCountedPerNameInAWindowAndForgottenOnClear() {
        Store one = open();
        Store two = open();
        assertThat(await(one.admin().countFailure("addr:10.0.0.1", Duration.ofMinutes(15))))
                .isEqualTo(1);
        assertThat(await(one.admin().countFailure("addr:10.0.0.1", Duration.ofMinutes(15))))
                .isEqualTo(2);
        assertThat(await(one.admin().countFailure("account:admin", Duration.ofMinutes(15))))
                .isEqualTo(1);
        assertThat(await(one.admin().failures("addr:10.0.0.1"))).isEqualTo(2);
        await(one.admin().clearFailures("addr:10.0.0.1"));
        assertThat(await(one.admin().failures("addr:10.0.0.1"))).isZero();
        assertThat(await(one.admin().failures("account:admin"))).isEqualTo(1);
        assertThat(await(two.admin().failures("nobody"))).isZero();
    }

    @Test
    void documentsWrittenByOneInstanceAreReadAndFollowedByAnother() throws Exception {
        Store gateway = open();
        Store cli = open();
        LiveDocument<String> live = new LiveDocument<>(gateway.documents(), Documents.CATALOGUE, "shipped", t -> t);
        AutoCloseable following = live.start(gateway, 5_000);
        BlockingQueue<StoreChange> told = new LinkedBlockingQueue<>();
        gateway.changes().subscribe(told::add);
        assertThat(await(gateway.documents().get(Documents.CATALOGUE))).isEmpty();
        assertThat(live.get()).as("nothing stored: the base").isEqualTo("shipped");

        await(cli.documents().put(Documents.CATALOGUE, "{\"v\":2}"));

        assertThat(nextOf(told, StoreChange.Kind.CATALOGUE).id()).isNull();
        assertThat(await(gateway.documents().get(Documents.CATALOGUE))).contains("{\"v\":2}");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!live.get().equals("{\"v\":2}") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(live.get())
                .as("the other instance's snapshot followed the change")
                .isEqualTo("{\"v\":2}");
        assertThat(await(gateway.documents().get(Documents.SIGNATURES)))
                .as("documents are kept apart")
                .isEmpty();

        await(cli.documents().remove(Documents.CATALOGUE));
        nextOf(told, StoreChange.Kind.CATALOGUE);
        assertThat(await(live.reload())).as("removed: the base again").isEqualTo("shipped");
        following.close();
    }

    @Test
    void aStoredDocumentThatDoesNotParseKeepsTheCurrentSnapshot() throws Exception {
        Store store = open();
        LiveDocument<Integer> live = new LiveDocument<>(store.documents(), Documents.SIGNATURES, 1, Integer::parseInt);
        await(store.documents().put(Documents.SIGNATURES, "2"));
        assertThat(await(live.reload())).isEqualTo(2);

        await(store.documents().put(Documents.SIGNATURES, "not a number"));

        assertThat(await(live.reload()))
                .as("logged, and the last good one kept")
                .isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> store.documents().get("other"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: catalogue, signatures or managed-settings");
    }

    @Test
    void aDocumentIsReplacedOnlyWhenItIsStillWhatTheWriterRead() throws Exception {
        Store store = open();
        Documents docs = store.documents();
        String name = Documents.MANAGED_SETTINGS;

        assertThat(await(docs.replace(name, java.util.Optional.of("{}"), "{\"a\":1}")))
                .as("nothing is stored, so an expected value is stale")
                .isFalse();
        assertThat(await(docs.get(name))).isEmpty();
        assertThat(await(docs.replace(name, java.util.Optional.empty(), "{\"a\":1}")))
                .as("the first write of a document expects none")
                .isTrue();
        assertThat(await(docs.replace(name, java.util.Optional.empty(), "{\"b\":2}")))
                .as("a writer that read nothing, after the first write")
                .isFalse();
        assertThat(await(docs.replace(name, java.util.Optional.of("{\"a\":1}"), "{\"a\":1,\"c\":3}")))
                .isTrue();
        assertThat(await(docs.replace(name, java.util.Optional.of("{\"a\":1}"), "{\"lost\":true}")))
                .as("an edit of what was read before the last write")
                .isFalse();
        assertThat(await(docs.get(name))).contains("{\"a\":1,\"c\":3}");
    }
}
