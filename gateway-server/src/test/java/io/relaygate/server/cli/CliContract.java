package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.Account;
import io.relaygate.core.ApiKey;
import io.relaygate.core.Usage;
import io.relaygate.core.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands against one backend; {@link LocalCliTest} and {@link RedisCliTest} run them on the embedded
 * store and on Redis. Every test checks that no output ever shows an account credential.
 */
abstract class CliContract {

    static final String CREDENTIAL = "sk-ant-api03-TOPsecretCredential987654321";
    static final String PROXY_PASSWORD = "pr0xyPassWord42";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    /** Everything printed so far, to check for leaked secrets. */
    final List<String> printed = new ArrayList<>();

    record Result(int code, String out, String err) {}

    /** The operating-system user the commands run as (main passes the JVM's user.name). */
    static final String USER = "ops-alice";

    /** The environment selecting this backend. */
    abstract Map<String, String> env();

    Result run(String... args) {
        return run(Map.of(), args);
    }

    Result run(Map<String, String> extraEnv, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(env());
        env.putAll(extraEnv);
        int code = RelaygateMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                USER);
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        printed.add(r.out());
        printed.add(r.err());
        return r;
    }

    static JsonNode json(Result r) throws Exception {
        assertThat(r.code())
                .as("exit code of a successful command; stderr: %s", r.err())
                .isZero();
        return JSON.readTree(r.out());
    }

    Store openStore() {
        return StoreFactory.open(ConfigLoader.load(null, env()).store(), env());
    }

    /** {@code accounts add} of an {@code anthropic-api} account named {@code name} with {@link #CREDENTIAL}. */
    JsonNode addAnthropicAccount(String name) throws Exception {
        return json(run(
                "accounts",
                "add",
                "--kind",
                "anthropic-api",
                "--name",
                name,
                "--base-url",
                "https://api.anthropic.com",
                "--api-key",
                CREDENTIAL,
                "--json"));
    }

    void assertNoCredentialPrinted() {
        assertThat(printed)
                .as("no command output ever shows a credential or a proxy password")
                .noneMatch(s -> s.contains(CREDENTIAL) || s.contains("TOPsecret") || s.contains(PROXY_PASSWORD));
    }

    @Test
    void keysCreateListAndDisableWorkOnTheSameStoreTheGatewayReads() throws Exception {
        JsonNode created = json(run(
                "keys",
                "create",
                "--name",
                "alice",
                "--concurrency",
                "3",
                "--requests",
                "100",
                "--window",
                "1m",
                "--tokens",
                "50000",
                "--window",
                "1h",
                "--daily-cost",
                "5",
                "--models",
                "claude-sonnet-4-5,claude-haiku-4-5",
                "--clients",
                "claude-code,codex",
                "--expires",
                "2099-12-31",
                "--group",
                "team-a",
                "--json"));

        String secret = created.get("secret").asText();
        assertThat(secret).matches("rg_[A-Za-z0-9]{10}_[A-Za-z0-9]{32}");
        JsonNode rules = created.get("rules");
        assertThat(rules.get("concurrency").asInt()).isEqualTo(3);
        assertThat(rules.get("requests").asLong()).isEqualTo(100);
        assertThat(rules.get("requestWindow").asText())
                .as("first --window belongs to --requests")
                .isEqualTo("1m");
        assertThat(rules.get("tokenWindow").asText())
                .as("second --window belongs to --tokens")
                .isEqualTo("1h");
        assertThat(rules.get("dailyCostUsd").asDouble()).isEqualTo(5.0);
        assertThat(rules.get("clients").toString()).isEqualTo("[\"claude-code\",\"codex\"]");
        assertThat(rules.get("expiresAt").asText()).isEqualTo("2099-12-31T00:00:00Z");
        assertThat(rules.get("group").asText()).isEqualTo("team-a");

        try (Store store = openStore()) {
            Optional<ApiKey> found = new ApiKeyService(store.keys())
                    .authenticate(secret)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(found)
                    .as("the printed secret authenticates against the store")
                    .isPresent();
            assertThat(found.orElseThrow().rules().maxTokens()).isEqualTo(50_000L);
        }

        Result human = run("keys", "create", "--name", "bob");
        assertThat(human.code()).isZero();
        assertThat(human.out()).contains("Created key bob").containsPattern("rg_[A-Za-z0-9]{10}_[A-Za-z0-9]{32}");

        JsonNode list = json(run("keys", "list", "--json"));
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("name").asText()).isEqualTo("alice");
        assertThat(list.get(0).get("enabled").asBoolean()).isTrue();
        assertThat(list.get(0).has("secret")).as("list never shows secrets").isFalse();
        assertThat(list.toString()).doesNotContain(secret.substring(13));

        Result disabled = run("keys", "disable", "alice");
        assertThat(disabled.code()).as(disabled.err()).isZero();
        assertThat(disabled.out()).contains("Disabled key alice");
        assertThat(json(run("keys", "list", "--json")).get(0).get("enabled").asBoolean())
                .isFalse();

        Result table = run("keys", "list");
        assertThat(table.out())
                .contains("NAME")
                .contains("alice")
                .contains("bob")
                .contains(secret.substring(0, 12));
        assertThat(table.out()).doesNotContain(secret);
        assertNoCredentialPrinted();
    }

    @Test
    void accountsAddAndListNeverShowTheCredential() throws Exception {
        Result added = run(
                Map.of("UPSTREAM_KEY", CREDENTIAL),
                "accounts",
                "add",
                "--kind",
                "anthropic-api",
                "--name",
                "main",
                "--base-url",
                "https://api.anthropic.com",
                "--api-key-env",
                "UPSTREAM_KEY",
                "--proxy",
                "socks5://user:" + PROXY_PASSWORD + "@127.0.0.1:1080",
                "--priority",
                "10",
                "--group",
                "team-a",
                "--models",
                "claude-sonnet-4-5",
                "--model-map",
                "haiku=claude-haiku-4-5,opus=claude-opus-4-1");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).contains("Added account main");
        JsonNode second = json(run(
                "accounts",
                "add",
                "--kind",
                "openai-compatible",
                "--name",
                "local",
                "--base-url",
                "http://127.0.0.1:11434/v1",
                "--api-key",
                CREDENTIAL,
                "--json"));
        assertThat(second.get("hasCredential").asBoolean()).isTrue();

        JsonNode list = json(run("accounts", "list", "--json"));
        assertThat(list).hasSize(2);
        JsonNode main = list.get(1);
        assertThat(main.get("name").asText()).isEqualTo("main");
        assertThat(main.get("kind").asText()).isEqualTo("anthropic-api");
        assertThat(main.get("baseUrl").asText()).isEqualTo("https://api.anthropic.com");
        assertThat(main.get("priority").asInt()).isEqualTo(10);
        assertThat(main.get("schedulable").asBoolean()).isTrue();
        assertThat(main.get("group").asText()).isEqualTo("team-a");
        assertThat(main.get("proxy").asText()).isEqualTo("socks5://***@127.0.0.1:1080");
        assertThat(main.get("modelMap").get("haiku").asText()).isEqualTo("claude-haiku-4-5");

        Result table = run("accounts", "list");
        assertThat(table.out())
                .contains("KIND")
                .contains("anthropic-api")
                .contains("https://api.anthropic.com")
                .contains("team-a");

        try (Store store = openStore()) {
            Account stored = store.accounts()
                    .findByName("main")
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .orElseThrow();
            assertThat(stored.credential())
                    .as("the credential was stored, readable by the gateway")
                    .isEqualTo(CREDENTIAL);
            assertThat(stored.proxy()).contains(PROXY_PASSWORD);
        }
        assertNoCredentialPrinted();
    }

    @Test
    void keysAreEnabledRotatedAndEditedLikeFromTheConsole() throws Exception {
        String first = json(run("keys", "create", "--name", "dana", "--json"))
                .path("secret")
                .asText();
        assertThat(run("keys", "disable", "dana").code()).isZero();
        JsonNode enabled = json(run("keys", "enable", "dana", "--json"));
        assertThat(enabled.path("enabled").asBoolean()).isTrue();

        Result rotated = run("keys", "rotate", "dana");
        assertThat(rotated.code()).as(rotated.err()).isZero();
        String second = rotated.out().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertThat(second).startsWith("rg_").isNotEqualTo(first);
        try (Store store = openStore()) {
            io.relaygate.accounts.ApiKeyService keys = new io.relaygate.accounts.ApiKeyService(store.keys());
            assertThat(keys.authenticate(first).toCompletableFuture().join())
                    .as("the old secret is refused")
                    .isEmpty();
            assertThat(keys.authenticate(second).toCompletableFuture().join()).isPresent();
        }

        JsonNode edited = json(run("keys", "edit", "dana", "--daily-cost", "3", "--clients", "codex", "--json"));
        assertThat(edited.toString()).contains("codex");
        JsonNode listed = json(run("keys", "list", "--json"));
        assertThat(listed.toString()).contains("dana");
        assertThat(run("keys", "edit", "ghost", "--daily-cost", "1").err()).contains("ghost");
        assertThat(run("keys", "rotate").err()).contains("N");
    }

    @Test
    void accountsAddTakesHeadersAndEditChangesSettingsShowingHeaderNamesOnly() throws Exception {
        JsonNode added = json(run(
                "accounts",
                "add",
                "--kind",
                "openai-api",
                "--name",
                "org",
                "--base-url",
                "https://api.openai.com",
                "--api-key",
                CREDENTIAL,
                "--header",
                "OpenAI-Organization: org-TOPsecretHeader",
                "--header=X-Team: blue",
                "--json"));
        assertThat(added.path("headers").toString()).isEqualTo("{\"OpenAI-Organization\":\"set\",\"X-Team\":\"set\"}");
        try (Store store = openStore()) {
            assertThat(store.accounts()
                            .findByName("org")
                            .toCompletableFuture()
                            .join()
                            .orElseThrow()
                            .headers())
                    .containsEntry("OpenAI-Organization", "org-TOPsecretHeader");
        }

        JsonNode edited = json(run(
                "accounts",
                "edit",
                "org",
                "--priority",
                "5",
                "--schedulable",
                "no",
                "--remove-header",
                "X-Team",
                "--header",
                "X-Region: eu",
                "--json"));
        assertThat(edited.path("priority").asInt()).isEqualTo(5);
        assertThat(edited.path("schedulable").asBoolean()).isFalse();
        assertThat(edited.path("headers").toString())
                .isEqualTo("{\"OpenAI-Organization\":\"set\",\"X-Region\":\"set\"}");

        Result owned = run("accounts", "edit", "org", "--header", "Authorization: Bearer TOPsecret2");
        assertThat(owned.code()).as("a usage error").isEqualTo(2);
        assertThat(owned.err()).contains("Authorization").contains("the gateway sets it itself");
        Result badLine = run("accounts", "edit", "org", "--header", "no-colon-TOPsecret");
        assertThat(badLine.code()).isEqualTo(2);
        assertThat(badLine.err()).contains("Name: value");
        assertThat(run("accounts", "edit", "org").err()).contains("nothing to change");
        assertThat(run("accounts", "edit", "ghost", "--priority", "1").err()).contains("ghost");
        assertNoCredentialPrinted();
    }

    @Test
    void takenNamesAndUnknownKeysFailWithOneLineAndExitCodeOne() {
        assertThat(run("keys", "create", "--name", "alice").code()).isZero();

        Result duplicate = run("keys", "create", "--name", "alice");
        assertThat(duplicate.code()).isEqualTo(1);
        assertThat(duplicate.err().strip()).doesNotContain("\n").contains("alice already exists");

        Result unknown = run("keys", "disable", "nobody");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err().strip()).doesNotContain("\n").contains("nobody not found");

        Result boundToNothing = run("keys", "create", "--name", "carol", "--account", "ghost");
        assertThat(boundToNothing.code()).isEqualTo(2);
        assertThat(boundToNothing.err()).contains("--account: ghost");
    }

    @Test
    void badCredentialArgumentsNeverEchoTheCredential() {
        Result both = run(
                Map.of("K", CREDENTIAL),
                "accounts",
                "add",
                "--kind",
                "anthropic-api",
                "--name",
                "x",
                "--base-url",
                "https://a.example",
                "--api-key",
                CREDENTIAL,
                "--api-key-env",
                "K");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--api-key");
        Result badUrl = run(
                "accounts",
                "add",
                "--kind",
                "anthropic-api",
                "--name",
                "x",
                "--base-url",
                "ftp://user:" + PROXY_PASSWORD + "@a.example",
                "--api-key",
                CREDENTIAL);
        assertThat(badUrl.code()).isEqualTo(2);
        assertThat(badUrl.err()).contains("base-url");
        assertNoCredentialPrinted();
    }

    @Test
    void usageShowsWhatTheGatewayRecordedPerKeyAccountAndModel() throws Exception {
        JsonNode key = json(run("keys", "create", "--name", "bob", "--json"));
        String keyId = key.get("id").asText();
        addAnthropicAccount("main");
        Instant at = Instant.parse("2026-10-05T14:30:00Z");
        try (Store store = openStore()) {
            Account main = Cli.await(store.accounts().findByName("main")).orElseThrow();
            for (int i = 0; i < 3; i++) {
                Cli.await(store.state()
                        .record(new UsageRecord(
                                keyId,
                                main.id(),
                                "claude-sonnet-4-5",
                                UsageCounters.of(new Usage(1000, 200, 50, 4000), i == 2, 12_345),
                                at,
                                null)));
            }
        }

        Result text = run("usage", "--key", "bob", "--at", "2026-10-05");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out())
                .startsWith("Usage per key in 2026-10-05 (UTC):")
                .containsPattern("bob\\s+3\\s+1\\s+3000\\s+600\\s+150\\s+12000\\s+\\$0\\.0370");

        JsonNode byAccount = json(run("usage", "--by", "account", "--period", "total", "--json"));
        assertThat(byAccount.path("lines").get(0).path("name").asText()).isEqualTo("main");
        assertThat(byAccount.path("lines").get(0).path("cost_usd").decimalValue())
                .isEqualByComparingTo("0.037035");
        JsonNode byHour =
                json(run("usage", "--by", "model", "--period", "hour", "--at", "2026-10-05T15:00:00Z", "--json"));
        assertThat(byHour.path("bucket").asText()).isEqualTo("2026-10-05T15");
        assertThat(byHour.path("lines")).as("the usage was in the hour before").isEmpty();

        assertThat(run("usage", "--period", "fortnight").err()).contains("--period: fortnight");
        assertNoCredentialPrinted();
    }

    @Test
    void accountsListShowsWhyAnAccountIsOutOfRotationAndResumeBringsItBack() throws Exception {
        addAnthropicAccount("tired");
        Instant until = Instant.now().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try (Store store = openStore()) {
            Account tired = Cli.await(store.accounts().findByName("tired")).orElseThrow();
            Cli.await(store.state()
                    .setCondition(
                            tired.id(),
                            new AccountCondition(
                                    AccountCondition.State.RATE_LIMITED,
                                    "HTTP 429: Number of requests has exceeded your rate limit",
                                    Instant.now(),
                                    until)));
        }

        Result list = run("accounts", "list");
        assertThat(list.out())
                .contains("STATE")
                .contains("rate-limited")
                .contains(until.toString())
                .contains("HTTP 429: Number of requests");
        JsonNode listed = json(run("accounts", "list", "--json")).get(0);
        assertThat(listed.path("state").asText()).isEqualTo("rate-limited");
        assertThat(listed.path("until").asText()).isEqualTo(until.toString());

        Result resumed = run("accounts", "resume", "tired");
        assertThat(resumed.out()).startsWith("Account tired is back in rotation (it was rate-limited");
        assertThat(json(run("accounts", "list", "--json")).get(0).path("state").asText())
                .isEqualTo("active");
        assertThat(run("accounts", "resume", "nobody").err()).contains("no account named nobody");
        assertNoCredentialPrinted();
    }

    @Test
    void accountsListShowsWhatTheUpstreamLastSaidAboutTheQuota() throws Exception {
        addAnthropicAccount("sub");
        addAnthropicAccount("fresh");
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant fiveHours = now.plus(java.time.Duration.ofMinutes(133)).plusSeconds(30);
        Instant week = now.plus(java.time.Duration.ofDays(4));
        try (Store store = openStore()) {
            Account sub = Cli.await(store.accounts().findByName("sub")).orElseThrow();
            Cli.await(store.state()
                    .setQuota(
                            sub.id(),
                            new AccountQuota(
                                    Map.of(
                                            AccountQuota.Window.UNIFIED_5H,
                                            AccountQuota.Use.of(0.62, fiveHours),
                                            AccountQuota.Window.UNIFIED_7D,
                                            AccountQuota.Use.of(0.18, week),
                                            AccountQuota.Window.REQUESTS,
                                            AccountQuota.Use.of(0.99, now.minusSeconds(60))),
                                    now.minusSeconds(5))));
        }

        Result table = run("accounts", "list");
        assertThat(table.out())
                .contains("QUOTA")
                .as("live windows only, with the soonest reset")
                .contains("5h 62% 7d 18% (reset in 2h13m)")
                .doesNotContain("req 99%");
        JsonNode listed = json(run("accounts", "list", "--json"));
        JsonNode subJson = null;
        JsonNode freshJson = null;
        for (JsonNode a : listed) {
            if (a.path("name").asText().equals("sub")) {
                subJson = a;
            } else {
                freshJson = a;
            }
        }
        assertThat(subJson).isNotNull();
        JsonNode quota = subJson.path("quota");
        assertThat(quota.path("headroom").asDouble()).isEqualTo(0.38);
        assertThat(quota.path("resetsAt").asText()).isEqualTo(fiveHours.toString());
        assertThat(quota.path("observedAt").asText())
                .isEqualTo(now.minusSeconds(5).toString());
        assertThat(quota.path("windows").path("5h").path("used").asDouble()).isEqualTo(0.62);
        assertThat(quota.path("windows").path("7d").path("resetsAt").asText()).isEqualTo(week.toString());
        assertThat(quota.path("windows").has("req")).as("its reset has passed").isFalse();
        assertThat(freshJson).isNotNull();
        assertThat(freshJson.has("quota")).as("nothing reported yet").isFalse();
        assertNoCredentialPrinted();
    }

    @Test
    void everyChangeIsAuditedWithWhoBeforeAndAfterAndNoCredential() throws Exception {
        ch.qos.logback.classic.Logger audit =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.relaygate.audit");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        audit.addAppender(lines);
        try {
            json(run("keys", "create", "--name", "carol", "--daily-cost", "3", "--json"));
            json(run(
                    "accounts",
                    "add",
                    "--kind",
                    "anthropic-api",
                    "--name",
                    "audited",
                    "--base-url",
                    "https://api.anthropic.com",
                    "--api-key",
                    CREDENTIAL,
                    "--proxy",
                    "socks5://user:" + PROXY_PASSWORD + "@proxy.internal:1080",
                    "--json"));
            run("keys", "disable", "carol");
            run("accounts", "resume", "audited");
        } finally {
            audit.detachAppender(lines);
        }

        List<String> messages = lines.list.stream()
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0))
                .startsWith("actor=\"" + USER + " via cli\" action=keys.create target=key:carol" + " before=- after={")
                .contains("\"dailyCostUsd\":3.0");
        assertThat(messages.get(1)).contains("action=accounts.add target=account:audited");
        assertThat(messages.get(2))
                .contains("action=keys.disable target=key:carol")
                .contains("before={\"id\"")
                .contains("\"enabled\":true")
                .contains("\"enabled\":false");
        assertThat(messages.get(3)).contains("action=accounts.resume", "before={\"state\":\"active\"}");
        assertThat(messages)
                .as("no credential, proxy password or key secret in the audit log")
                .noneMatch(m -> m.contains(CREDENTIAL) || m.contains("TOPsecret") || m.contains(PROXY_PASSWORD));
    }

    @Test
    void adminPasswordPrintsANewPasswordOnceStoresOnlyItsHashAndEndsSessions() throws Exception {
        try (Store store = openStore()) {
            store.admin()
                    .putSession("digest-of-an-old-session", "{}", java.time.Duration.ofMinutes(5))
                    .toCompletableFuture()
                    .join();
        }
        JsonNode reset = json(run("admin", "password", "--json"));
        String password = reset.path("password").asText();
        assertThat(password).hasSize(24);
        try (Store store = openStore()) {
            String hash =
                    store.admin().passwordHash().toCompletableFuture().join().orElseThrow();
            assertThat(hash).startsWith("$2").doesNotContain(password);
            assertThat(store.admin()
                            .session("digest-of-an-old-session")
                            .toCompletableFuture()
                            .join())
                    .isEmpty();
        }
        Result fromEnv =
                run(Map.of("NEW_ADMIN_PASSWORD", "short"), "admin", "password", "--password-env", "NEW_ADMIN_PASSWORD");
        assertThat(fromEnv.code()).isEqualTo(2);
        assertThat(fromEnv.err())
                .contains("password: 5 characters (expected: at least 12)")
                .doesNotContain("short;");
        Result unset = run("admin", "password", "--password-env", "NOT_SET_ANYWHERE");
        assertThat(unset.code()).isEqualTo(2);
        assertThat(unset.err()).contains("--password-env: NOT_SET_ANYWHERE is not set");
    }

    @Test
    void accountsTestSendsOneMinimalRequestAndPrintsStatusLatencyAndMessage() throws Exception {
        try (io.relaygate.bench.mock.MockUpstream mock =
                io.relaygate.bench.mock.MockUpstream.start(io.relaygate.bench.mock.MockOptions.defaults())) {
            json(run(
                    "accounts",
                    "add",
                    "--kind",
                    "anthropic-api",
                    "--name",
                    "mocked",
                    "--base-url",
                    mock.baseUrl(),
                    "--api-key",
                    CREDENTIAL,
                    "--json"));
            json(run(
                    "accounts",
                    "add",
                    "--kind",
                    "anthropic-api",
                    "--name",
                    "refused",
                    "--base-url",
                    mock.baseUrl(),
                    "--api-key",
                    "mock-error-401",
                    "--json"));

            JsonNode ok = json(run("accounts", "test", "mocked", "--json"));
            assertThat(ok.path("ok").asBoolean()).isTrue();
            assertThat(ok.path("status").asInt()).isEqualTo(200);
            Result refused = run("accounts", "test", "refused");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out()).startsWith("refused: HTTP 401 in ").doesNotContain("mock-error-401");
            Result missing = run("accounts", "test", "ghost");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("account name: ghost not found");
        }
        assertNoCredentialPrinted();
    }
}
