package io.relaygate.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.SchedulingConfig;
import io.relaygate.core.config.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyServiceTest {

    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final InMemoryKeyStore store = new InMemoryKeyStore();
    private final ApiKeyService service = ApiKeyService.builder(store)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .ticker(ticker)
            .cacheTtl(TTL)
            .build();

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void whileTheStoreIsAwayAKeyReadLatelyIsServedAndAnUnknownOneIsStillRefused() throws Exception {
        CreatedKey alice = await(service.create("alice", KeyRules.NONE));
        CreatedKey bob = await(service.create("bob", KeyRules.NONE));
        assertThat(await(service.authenticate(alice.secret()))).isPresent();
        store.down = true;
        nanos.addAndGet(TTL.toNanos() + 1);

        assertThat(await(service.authenticate(alice.secret())))
                .as("read 5 s before the outage: served as last read")
                .contains(alice.key());
        assertThat(await(service.authenticate(alice.secret().substring(0, 14) + "x".repeat(32))))
                .as("a wrong secret for a known id is still wrong")
                .isEmpty();
        assertThatThrownBy(() -> await(service.authenticate(bob.secret())))
                .as("never read by this instance: refused while the store is away, never admitted")
                .hasRootCauseMessage("store away");
        assertThatThrownBy(() -> await(service.authenticate(bob.secret())))
                .as("a failure is not cached as an answer")
                .hasRootCauseMessage("store away");

        nanos.addAndGet(SchedulingConfig.DEFAULT_STALE_FOR.toNanos());
        assertThatThrownBy(() -> await(service.authenticate(alice.secret())))
                .as("stale for at most staleFor after the last successful read")
                .hasRootCauseMessage("store away");

        store.down = false;
        assertThat(await(service.authenticate(bob.secret()))).contains(bob.key());
    }

    @Test
    void aReconnectDropsTheCachedKeysButNotTheCopiesAnOutageIsServedFrom() throws Exception {
        CreatedKey alice = await(service.create("alice", KeyRules.NONE));
        CreatedKey bob = await(service.create("bob", KeyRules.NONE));
        assertThat(await(service.authenticate(alice.secret()))).isPresent();
        assertThat(await(service.authenticate(bob.secret()))).isPresent();
        // The store's subscription came back before its command connection: it reports ALL while reads still fail.
        store.down = true;
        service.invalidate(null);
        assertThat(await(service.authenticate(alice.secret())))
                .as("served as last read, not refused, while the store's reads still fail")
                .contains(alice.key());
        // A change of one key that was published is different: that key is never served from before it.
        service.invalidate(bob.key().id());
        assertThatThrownBy(() -> await(service.authenticate(bob.secret()))).hasRootCauseMessage("store away");

        store.down = false;
        service.invalidate(null);
        assertThat(await(service.authenticate(bob.secret()))).contains(bob.key());
    }

    @Test
    void aKeyDisabledByThisServiceIsNotServedStaleInAnOutage() throws Exception {
        CreatedKey alice = await(service.create("alice", KeyRules.NONE));
        assertThat(await(service.authenticate(alice.secret()))).isPresent();
        await(service.disable("alice"));
        store.down = true;

        assertThat(await(service.authenticate(alice.secret())))
                .hasValueSatisfying(k -> assertThat(k.enabled()).isFalse());
    }

    @Test
    void aRotatedKeyKeepsItsIdNameAndRulesAndOnlyTheNewSecretWorks() throws Exception {
        KeyRules rules = new KeyRules(
                2,
                null,
                null,
                null,
                null,
                5.0,
                null,
                null,
                java.util.List.of(),
                java.util.List.of(),
                java.util.Set.of(),
                null,
                null,
                null);
        CreatedKey alice = await(service.create("alice", rules));
        CreatedKey rotated = await(service.rotate("alice"));

        assertThat(rotated.key().id()).isEqualTo(alice.key().id());
        assertThat(rotated.key().rules()).isEqualTo(rules);
        assertThat(rotated.secret())
                .isNotEqualTo(alice.secret())
                .startsWith("rg_" + alice.key().id() + "_");
        assertThat(await(service.authenticate(alice.secret())))
                .as("the old secret")
                .isEmpty();
        assertThat(await(service.authenticate(rotated.secret()))).isPresent();
        assertThatThrownBy(() -> await(service.rotate("nobody"))).hasRootCauseMessage("key name: nobody not found");
    }

    @Test
    void aNewSecretHasTheDocumentedShapeAndEmbedsTheKeyId() throws Exception {
        CreatedKey created = await(service.create("alice", KeyRules.NONE));
        String secret = created.secret();

        assertThat(secret).matches("rg_[a-zA-Z0-9]{10}_[a-zA-Z0-9]{32}");
        assertThat(secret.substring(3, 13))
                .as("id inside the secret")
                .isEqualTo(created.key().id());
        assertThat(created.key().prefix()).isEqualTo(secret.substring(0, 12));
        assertThat(created.key().createdAt()).isEqualTo(NOW);
        assertThat(created.key().enabled()).isTrue();
        assertThat(created.toString()).doesNotContain(secret);
        assertThat(await(service.create("bob", KeyRules.NONE)).secret())
                .as("random per key")
                .isNotEqualTo(secret);
    }

    @Test
    void onlyASaltedHashOfTheSecretIsStored() throws Exception {
        CreatedKey created = await(service.create("alice", KeyRules.NONE));
        ApiKey stored = store.byId.get(created.key().id());
        String secret = created.secret();
        String secretTail = secret.substring(13);

        assertThat(stored.toString()).doesNotContain(secretTail);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Base64.getDecoder().decode(stored.salt()));
        sha.update(secret.getBytes(StandardCharsets.UTF_8));
        assertThat(stored.secretHash())
                .as("base64(SHA-256(salt || secret))")
                .isEqualTo(Base64.getEncoder().encodeToString(sha.digest()));
        assertThat(Base64.getDecoder().decode(stored.salt())).hasSize(16);
    }

    @Test
    void authenticateAcceptsTheRightSecretOnly() throws Exception {
        CreatedKey created = await(service.create("alice", KeyRules.NONE));
        String secret = created.secret();
        char last = secret.charAt(secret.length() - 1);
        String wrong = secret.substring(0, secret.length() - 1) + (last == 'a' ? 'b' : 'a');
        String unknown = "rg_ZZZZZZZZZZ" + secret.substring(13);

        assertThat(await(service.authenticate(secret))).as("good").contains(created.key());
        assertThat(await(service.authenticate(wrong)))
                .as("right id, wrong secret")
                .isEmpty();
        assertThat(await(service.authenticate(unknown))).as("unknown id").isEmpty();
    }

    @Test
    void aSecretVerifiedOnceIsRememberedOnlyForTheReadOfTheKeyItWasCheckedAgainst() throws Exception {
        CreatedKey alice = await(service.create("alice", KeyRules.NONE));
        String secret = alice.secret();
        String wrong = secret.substring(0, secret.length() - 1) + (secret.endsWith("a") ? "b" : "a");
        assertThat(await(service.authenticate(secret)))
                .as("verified by its hash")
                .isPresent();
        assertThat(await(service.authenticate(secret))).as("recognised").isPresent();
        assertThat(await(service.authenticate(wrong)))
                .as("a wrong secret for the same id after a right one")
                .isEmpty();
        assertThat(await(service.authenticate(secret)))
                .as("the right one still")
                .isPresent();

        CreatedKey elsewhere = await(ApiKeyService.builder(store).build().rotate("alice"));
        assertThat(await(service.authenticate(secret)))
                .as("another process rotated it: as before, not seen inside the TTL")
                .isPresent();
        nanos.addAndGet(TTL.toNanos() + 1);
        assertThat(await(service.authenticate(secret)))
                .as("the next read of the key has the new hash: the verified old secret is refused")
                .isEmpty();
        assertThat(await(service.authenticate(elsewhere.secret()))).isPresent();

        CreatedKey rotated = await(service.rotate("alice"));
        assertThat(await(service.authenticate(elsewhere.secret())))
                .as("rotated here: refused on the very next request")
                .isEmpty();
        assertThat(await(service.authenticate(rotated.secret()))).isPresent();
        await(service.disable("alice"));
        assertThat(await(service.authenticate(rotated.secret())).orElseThrow().enabled())
                .as("a disabled key is read afresh, for the caller to refuse")
                .isFalse();
    }

    @Test
    void malformedSecretsAreRefusedWithoutALookup() throws Exception {
        String good = await(service.create("alice", KeyRules.NONE)).secret();
        store.findByIdCalls.set(0);

        for (String bad : new String[] {
            "",
            "sk-ant-1234",
            good.substring(1),
            good + "x",
            "xx" + good.substring(2),
            good.substring(0, 13) + "-" + good.substring(14),
            good.substring(0, 20) + "!" + good.substring(21),
            good.substring(0, 5) + "é" + good.substring(6)
        }) {
            assertThat(await(service.authenticate(bad)))
                    .as("malformed: %s", bad)
                    .isEmpty();
        }
        assertThat(store.findByIdCalls).as("garbage costs no store lookup").hasValue(0);
    }

    @Test
    void foundKeysAreCachedUntilTheTtlAndMissesAreNot() throws Exception {
        CreatedKey created = await(service.create("alice", KeyRules.NONE));
        store.findByIdCalls.set(0);

        await(service.authenticate(created.secret()));
        await(service.authenticate(created.secret()));
        assertThat(store.findByIdCalls)
                .as("second lookup served from the cache")
                .hasValue(1);

        nanos.addAndGet(TTL.toNanos() + 1);
        await(service.authenticate(created.secret()));
        assertThat(store.findByIdCalls).as("expired after the TTL").hasValue(2);

        String unknown = "rg_ZZZZZZZZZZ" + created.secret().substring(13);
        await(service.authenticate(unknown));
        await(service.authenticate(unknown));
        assertThat(store.findByIdCalls)
                .as("a miss is asked again, so a new key works at once")
                .hasValue(4);
    }

    @Test
    void anotherWritersChangeShowsAfterTheTtlButOwnUpdatesAtOnce() throws Exception {
        CreatedKey created = await(service.create("alice", KeyRules.NONE));
        String secret = created.secret();
        assertThat(await(service.authenticate(secret)).orElseThrow().enabled()).isTrue();

        store.byId.put(created.key().id(), created.key().withEnabled(false));
        assertThat(await(service.authenticate(secret)).orElseThrow().enabled())
                .as("another process's change is not seen inside the TTL")
                .isTrue();
        nanos.addAndGet(TTL.toNanos() + 1);
        assertThat(await(service.authenticate(secret)).orElseThrow().enabled()).isFalse();

        await(service.update(created.key().withEnabled(true)));
        assertThat(await(service.authenticate(secret)).orElseThrow().enabled())
                .as("own update invalidates")
                .isTrue();
        await(service.disable("alice"));
        Optional<ApiKey> disabled = await(service.authenticate(secret));
        assertThat(disabled)
                .as("disabled keys are returned so the caller can say why")
                .isPresent();
        assertThat(disabled.orElseThrow().enabled()).isFalse();
    }

    @Test
    void disablingAnUnknownKeyFailsWithNotFound() {
        assertThatThrownBy(() -> await(service.disable("nobody")))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("nobody")
                .satisfies(e -> assertThat(((GatewayException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }

    @Test
    void badNamesAreRefusedNamingTheArgument() {
        assertThatThrownBy(() -> service.create("has space", KeyRules.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name: has space (expected:");
        assertThatThrownBy(() -> service.create("", KeyRules.NONE)).hasMessageStartingWith("name: empty");
    }

    @Test
    void aKeyCreatedThroughTheEmbeddedStoreAuthenticatesAndIsListed(@TempDir Path dir) throws Exception {
        StoreConfig config = new StoreConfig(StoreConfig.LOCAL, dir, null, StoreConfig.DEFAULT_KEY_PREFIX);
        try (Store real = StoreFactory.open(config, Map.of())) {
            ApiKeyService svc = new ApiKeyService(real.keys());
            CreatedKey created = await(svc.create("alice", KeyRules.NONE));

            assertThat(await(svc.authenticate(created.secret()))).contains(created.key());
            assertThat(await(svc.list())).extracting(ApiKey::name).containsExactly("alice");
            assertThat(Files.readString(dir.resolve("keys.json")))
                    .as("the file holds the hash, not the secret")
                    .doesNotContain(created.secret().substring(13))
                    .contains(created.key().secretHash());
        }
    }
}
