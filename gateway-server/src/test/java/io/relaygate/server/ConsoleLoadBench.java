package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.admin.AdminPassword;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * On demand, not in the suite (its name matches no test pattern): the overview's page weight and its load time
 * against a store with 100 keys, 20 accounts and 100,000 requests (their usage counters spread over the last week,
 * their per-request records over the last hour), in headless Chromium, and the store commands one overview call sends (counted by the
 * store's command observer; the embedded store sends none). Run with {@code -Dit.test=ConsoleLoadBench}; the numbers go to stdout and
 * {@code target/console-load.txt}.
 */
class ConsoleLoadBench {

    static final int KEYS = 100;
    static final int ACCOUNTS = 20;
    static final int REQUESTS = 100_000;
    static final List<String> FILES = List.of(
            "/ui/",
            "/ui/vendor/uPlot.min.css",
            "/ui/app.css",
            "/ui/vendor/uPlot.iife.min.js",
            "/ui/app.js",
            "/ui/api.js",
            "/ui/format.js",
            "/ui/table.js",
            "/ui/chart.js",
            "/ui/overview.js",
            "/ui/keys.js",
            "/ui/accounts.js",
            "/ui/account-settings.js",
            "/ui/requests.js",
            "/ui/audit.js");

    @Test
    void overviewWeightAndLoadTimeWithAFullStore() throws Exception {
        StringBuilder report = new StringBuilder();
        boolean redis = "redis".equals(System.getProperty("relaygate.bench.store"));
        String prefix = io.relaygate.server.cli.CliRedis.uniquePrefix();
        GatewayHarness.Builder builder = GatewayHarness.builder();
        if (redis) {
            builder.config(c -> c.withStore(new io.relaygate.core.config.StoreConfig(
                    io.relaygate.core.config.StoreConfig.REDIS,
                    c.store().dataDir(),
                    io.relaygate.server.cli.CliRedis.url(),
                    prefix)));
        }
        report.append(redis ? "store: redis\n" : "store: embedded\n");
        try (GatewayHarness gw = builder.start()) {
            gw.store
                    .admin()
                    .setPasswordHash(AdminPassword.hash("load-bench-password"))
                    .toCompletableFuture()
                    .join();
            List<String> keyIds = new ArrayList<>();
            ApiKeyService keys = new ApiKeyService(gw.store.keys());
            String holderSecret = "";
            for (int i = 0; i < KEYS; i++) {
                io.relaygate.accounts.CreatedKey created = keys.create("member-" + i, KeyRules.NONE)
                        .toCompletableFuture()
                        .join();
                keyIds.add(created.key().id());
                if (i == 0) {
                    holderSecret = created.secret();
                }
            }
            List<String> accountIds = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                Account a = gw.addAccount(
                        "upstream-" + i,
                        AccountKind.ANTHROPIC_API,
                        gw.mock.baseUrl(),
                        "sk-ant-bench-" + i + "-credential",
                        50);
                accountIds.add(a.id());
            }
            String[] models = {"claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "gpt-5", "gpt-5-codex"};
            Instant now = Instant.now();
            long seed = System.nanoTime();
            // written in batches of 100, as the usage recorder writes its summed records (SharedState.recordAll)
            List<io.relaygate.accounts.state.UsageWrite> writes = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                Instant at = now.minusSeconds((i * 7L * 86_400L) / REQUESTS);
                UsageCounters c =
                        new UsageCounters(1, i % 50 == 0 ? 1 : 0, 1200 + i % 300, 300 + i % 90, 0, 800, 2_000);
                writes.add(new io.relaygate.accounts.state.UsageWrite(
                        new UsageRecord(
                                keyIds.get(i % KEYS),
                                accountIds.get((int) ((i + seed) % ACCOUNTS)),
                                models[i % models.length],
                                c,
                                at,
                                null,
                                false,
                                null,
                                false,
                                UsageRecord.ALL_COST_LIMITS),
                        null));
                if (writes.size() == 100 || i == REQUESTS - 1) {
                    CompletableFuture.allOf(gw.store.state().recordAll(writes).stream()
                                    .map(java.util.concurrent.CompletionStage::toCompletableFuture)
                                    .toArray(CompletableFuture[]::new))
                            .join();
                    writes.clear();
                }
            }
            // Records are written when their request ends, and the Redis ledger is ordered by that write: seeded
            // oldest first, spread over the last hour as a busy gateway (100,000 requests an hour) writes them.
            List<io.relaygate.accounts.ledger.RequestRecord> batch = new ArrayList<>();
            for (int i = REQUESTS - 1; i >= 0; i--) {
                Instant at = now.minusMillis((i * 3_600_000L) / REQUESTS);
                String account = "upstream-" + (int) ((i + seed) % ACCOUNTS);
                batch.add(new io.relaygate.accounts.ledger.RequestRecord(
                        "req_bench_" + i,
                        at,
                        keyIds.get(i % KEYS),
                        "member-" + (i % KEYS),
                        "claude-code",
                        "anthropic",
                        models[i % models.length],
                        i % 50 == 0 ? 529 : 200,
                        i % 50 == 0 ? "UPSTREAM_ERROR" : "COMPLETED",
                        i % 50 == 0 ? "overloaded" : null,
                        800 + i % 400,
                        150 + i % 200,
                        1200 + i % 300,
                        300 + i % 90,
                        800,
                        0,
                        0.002,
                        "exact",
                        List.of(new io.relaygate.accounts.ledger.RequestRecord.Attempt(
                                account, 200, 800, 1200, 300, null)),
                        List.of(new io.relaygate.accounts.ledger.RequestRecord.Candidate(account, null))));
                if (batch.size() == 1000 || i == 0) {
                    gw.store.requests().append(batch).toCompletableFuture().join();
                    batch.clear();
                }
            }

            long raw = 0;
            long zipped = 0;
            for (String file : FILES) {
                raw += size(gw, file, false);
                zipped += size(gw, file, true);
            }
            report.append(String.format(
                    Locale.ROOT,
                    "overview page weight: %d files, %.1f KiB, %.1f KiB gzipped%n",
                    FILES.size(),
                    raw / 1024.0,
                    zipped / 1024.0));

            String cookie = login(gw);
            for (String range : List.of("hour", "day", "week")) {
                String first = commandsOf(gw, "cookie", cookie, "/admin/overview?range=" + range);
                List<Long> times = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = gw.http.send(
                            HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/admin/overview?range=" + range))
                                    .header("cookie", cookie)
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    times.add((System.nanoTime() - t0) / 1000);
                    assertThat(r.statusCode()).isEqualTo(200);
                }
                times.sort(null);
                report.append(String.format(
                        Locale.ROOT,
                        "GET /admin/overview?range=%s: median %.1f ms, max %.1f ms, first call %s, repeated %s%n",
                        range,
                        times.get(10) / 1000.0,
                        times.get(19) / 1000.0,
                        first,
                        commandsOf(gw, "cookie", cookie, "/admin/overview?range=" + range)));
            }
            report.append("GET /admin/requests?since=1h&limit=1000 (the overview's latency figures): "
                    + commandsOf(gw, "cookie", cookie, "/admin/requests?since=1h&limit=1000") + "\n");
            report.append("GET /me/api (the key holder page of one of the 100 keys): "
                    + commandsOf(gw, "x-api-key", holderSecret, "/me/api") + "\n");
            report.append(browserLoad(gw));
        }
        if (redis) {
            io.relaygate.server.cli.CliRedis.deleteKeys(prefix);
        }
        System.out.print(report); // the bench's output is its report
        Files.writeString(Path.of("target/console-load-" + (redis ? "redis" : "embedded") + ".txt"), report);
    }

    /**
     * The store commands one call of {@code path} sends, by type, counted by the store's command observer (which the
     * metrics use otherwise; the bench takes it over). Background reads of the gateway (the shared account view, once
     * a second) may add one or two.
     */
    private static String commandsOf(GatewayHarness gw, String header, String value, String path) throws Exception {
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> seen =
                new java.util.concurrent.ConcurrentHashMap<>();
        gw.store.observeCommands(new io.relaygate.accounts.CommandObserver() {
            @Override
            public void succeeded(String command, long nanos) {
                seen.computeIfAbsent(command, c -> new java.util.concurrent.atomic.LongAdder())
                        .increment();
            }

            @Override
            public void failed(String command) {
                succeeded(command, 0);
            }
        });
        HttpResponse<byte[]> r = gw.http.send(
                HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                        .header(header, value)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        long total = seen.values().stream()
                .mapToLong(java.util.concurrent.atomic.LongAdder::sum)
                .sum();
        return total == 0 ? "no store commands" : total + " store commands " + new java.util.TreeMap<>(seen);
    }

    private static long size(GatewayHarness gw, String path, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path));
        if (gzip) {
            b.header("accept-encoding", "gzip");
        }
        HttpResponse<byte[]> r = gw.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body().length;
    }

    private static String login(GatewayHarness gw) throws Exception {
        HttpResponse<byte[]> r = gw.http.send(
                HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/admin/login"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"load-bench-password\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    }

    private static String browserLoad(GatewayHarness gw) throws Exception {
        Path profile = Files.createTempDirectory("relaygate-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Path.of("/usr/bin/chromium").toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        ChromeDriver browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                        .usingAnyFreePort()
                        .build(),
                options);
        try {
            browser.get(gw.baseUrl() + "/ui/");
            new WebDriverWait(browser, Duration.ofSeconds(20))
                    .until(ExpectedConditions.visibilityOfElementLocated(By.id("password")))
                    .sendKeys("load-bench-password");
            browser.findElement(By.cssSelector("#login-form button")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20))
                    .until(ExpectedConditions.presenceOfElementLocated(By.id("total-requests")));
            List<Double> cold = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                browser.get(gw.baseUrl() + "/ui/?n=" + i + "#/overview");
                new WebDriverWait(browser, Duration.ofSeconds(20))
                        .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#top-keys tr[data-row]")));
                cold.add(((Number) ((JavascriptExecutor) browser)
                                .executeScript("return performance.getEntriesByName('relaygate:overview-rendered')[0]"
                                        + ".startTime;"))
                        .doubleValue());
            }
            cold.sort(null);
            return String.format(
                    Locale.ROOT,
                    "browser: overview shown (navigation start to top keys rendered), median of 7 loads: %.0f ms,"
                            + " max %.0f ms%n",
                    cold.get(3),
                    cold.get(6));
        } finally {
            browser.quit();
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
