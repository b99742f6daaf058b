package io.relaygate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void noFileAndNoEnvironmentGivesTheDocumentedDefaults() {
        GatewayConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(3000);
        assertThat(c.store().type()).as("no REDIS_URL: embedded store").isEqualTo("local");
        assertThat(c.store().dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.upstream().responseTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void yamlValuesAreReadWithUnitsAndEnvironmentOverridesThem() throws Exception {
        Path file = dir.resolve("relaygate.yaml");
        Files.writeString(
                file,
                "server:\n  port: 4000\n  maxRequestBodyBytes: 2MiB\n  idleTimeout: 90s\n"
                        + "upstream:\n  connectTimeout: 500ms\n");
        GatewayConfig c = ConfigLoader.load(
                file,
                Map.of("RELAYGATE_PORT", "5000", "REDIS_URL", "redis://127.0.0.1:6379", "RELAYGATE_DATA_DIR", "/x"));
        assertThat(c.server().port()).as("environment wins over the file").isEqualTo(5000);
        assertThat(c.server().maxRequestBodyBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(c.server().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.store().type()).as("REDIS_URL selects the Redis store").isEqualTo("redis");
        assertThat(c.store().dataDir()).isEqualTo(Path.of("/x"));
    }

    @Test
    void badValuesFailWithTheSettingNamed() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port: 70000");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_PORT", "abc")))
                .hasMessageContaining("server.port: abc (expected: an integer)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("REDIS_URL", "http://nope")))
                .hasMessageContaining("store.redisUrl");
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "server:\n  prot: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining("server.prot: unknown setting");
        Files.writeString(file, "upstream:\n  idleTimeout: soon\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageContaining("upstream.idleTimeout: soon");
        Files.writeString(file, "server:\n  writeBufferLowWaterMark: 1MiB\n  writeBufferHighWaterMark: 64KiB\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining("server.writeBufferHighWaterMark");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
                .hasMessageContaining("missing.yaml");
    }

    @Test
    void localAdmissionIsTwentyMillisecondsUnlessSetAndZeroTurnsItOff() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).store().localAdmission()).isEqualTo(Duration.ofMillis(20));
        Path file = dir.resolve("store.yaml");
        Files.writeString(file, "store:\n  localAdmission: 50ms\n");
        assertThat(ConfigLoader.load(file, Map.of()).store().localAdmission()).isEqualTo(Duration.ofMillis(50));
        assertThat(ConfigLoader.load(file, Map.of("RELAYGATE_LOCAL_ADMISSION", "0s"))
                        .store()
                        .localAdmission())
                .isZero();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_LOCAL_ADMISSION", "5m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.localAdmission: 5m (expected: 0s to 1s");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_LOCAL_ADMISSION", "soon")))
                .hasMessageContaining("store.localAdmission: soon");
    }

    @Test
    void http2IsOfferedByDefaultAndH2cOriginsAreReadNormalised() throws Exception {
        UpstreamConfig defaults = ConfigLoader.load(null, Map.of()).upstream();
        assertThat(defaults.http2()).as("ALPN offers h2 unless turned off").isTrue();
        assertThat(defaults.h2c()).isEmpty();
        Path file = dir.resolve("h2.yaml");
        Files.writeString(
                file, "upstream:\n  http2: false\n  h2c:\n    - http://VLLM.internal:8000\n    - http://ollama\n");
        UpstreamConfig u = ConfigLoader.load(file, Map.of()).upstream();
        assertThat(u.http2()).isFalse();
        assertThat(u.h2c()).containsExactly("http://vllm.internal:8000", "http://ollama:80");
        assertThat(u.h2c("vllm.internal", 8000)).isTrue();
        assertThat(u.h2c("vllm.internal", 8001)).isFalse();
        UpstreamConfig fromEnv = ConfigLoader.load(
                        null, Map.of("RELAYGATE_UPSTREAM_H2C", "http://127.0.0.1:9000, http://a:1"))
                .upstream();
        assertThat(fromEnv.h2c()).containsExactly("http://127.0.0.1:9000", "http://a:1");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_UPSTREAM_H2C", "https://api.x.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstream.h2c: https://api.x.com (expected: http://host:port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_UPSTREAM_H2C", "http://a:1/v1")))
                .hasMessageContaining("upstream.h2c: http://a:1/v1");
    }

    @Test
    void thePublicUrlIsAnOriginWithoutAFinalSlashAndNothingElse() {
        assertThat(ConfigLoader.load(null, Map.of()).server().publicUrl())
                .as("by default, from each request")
                .isNull();
        assertThat(ConfigLoader.load(null, Map.of("RELAYGATE_PUBLIC_URL", "https://relaygate.example.com/"))
                        .server()
                        .publicUrl())
                .isEqualTo("https://relaygate.example.com");
        assertThat(ConfigLoader.load(null, Map.of("RELAYGATE_PUBLIC_URL", "http://10.0.0.5:3000"))
                        .server()
                        .publicUrl())
                .isEqualTo("http://10.0.0.5:3000");
        for (String bad : new String[] {
            "relaygate.example.com",
            "ftp://x.example",
            "https://x.example/api",
            "https://x.example?a=1",
            "https://user@x.example"
        }) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_PUBLIC_URL", bad)))
                    .as(bad)
                    .hasMessageContaining("server.publicUrl: " + bad);
        }
    }

    @Test
    void loggingDefaultsToTextAccessLinesAndNoShapeLines() {
        LoggingConfig logging = ConfigLoader.load(null, Map.of()).logging();
        assertThat(logging.accessLogFormat()).isEqualTo(LoggingConfig.AccessLogFormat.TEXT);
        assertThat(logging.shapesOfAllKeys()).isFalse();
        assertThat(logging.shapesOfKeys()).isEmpty();
    }

    @Test
    void loggingEnvironmentVariablesOverrideTheFile() throws Exception {
        Path file = dir.resolve("logging.yaml");
        Files.writeString(file, "logging:\n  shapes: carol\n  accessLogFormat: text\n");
        assertThat(ConfigLoader.load(file, Map.of()).logging().shapesOfKeys())
                .as("the file alone")
                .containsExactly("carol");

        LoggingConfig logging = ConfigLoader.load(
                        file, Map.of("RELAYGATE_LOG_SHAPES", "alice, Bob,", "RELAYGATE_ACCESS_LOG_FORMAT", "JSON"))
                .logging();
        assertThat(logging.shapesOfKeys())
                .as("names trimmed, lower-cased, blanks dropped; the environment wins")
                .containsExactlyInAnyOrder("alice", "bob");
        assertThat(logging.shapesOfAllKeys()).isFalse();
        assertThat(logging.accessLogFormat()).isEqualTo(LoggingConfig.AccessLogFormat.JSON);

        LoggingConfig all =
                ConfigLoader.load(file, Map.of("RELAYGATE_LOG_SHAPES", " ALL ")).logging();
        assertThat(all.shapesOfAllKeys()).isTrue();
        assertThat(all.shapesOfKeys()).isEmpty();
        assertThat(all.accessLogFormat()).as("from the file").isEqualTo(LoggingConfig.AccessLogFormat.TEXT);
    }

    @Test
    void aBadAccessLogFormatNamesTheSettingAndTheChoices() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_ACCESS_LOG_FORMAT", "xml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("logging.accessLogFormat: xml (expected: text or json)");
        Path file = dir.resolve("bad-logging.yaml");
        Files.writeString(file, "logging:\n  shape: all\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining("logging.shape: unknown setting");
    }

    @Test
    void loggingConfigRefusesContradictions() {
        assertThatThrownBy(() -> new LoggingConfig(true, java.util.Set.of("alice"), LoggingConfig.AccessLogFormat.TEXT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("logging.shapes");
        assertThatThrownBy(
                        () -> new LoggingConfig(false, java.util.Set.of("Alice"), LoggingConfig.AccessLogFormat.TEXT))
                .hasMessageContaining("logging.shapes: 'Alice'");
    }

    @Test
    void metricsAreOnWithoutPerKeySeriesByDefaultAndTheEnvironmentChangesThat() throws Exception {
        MetricsConfig d = ConfigLoader.load(null, Map.of()).metrics();
        assertThat(d.enabled()).isTrue();
        assertThat(d.requireToken()).isFalse();
        assertThat(d.perKey()).isFalse();
        assertThat(d.maxKeys()).isEqualTo(MetricsConfig.DEFAULT_MAX_KEYS);

        Path file = dir.resolve("metrics.yaml");
        Files.writeString(file, "metrics:\n  perKey: true\n  maxKeys: 20\n  maxModels: 7\n");
        MetricsConfig m = ConfigLoader.load(
                        file,
                        Map.of(
                                "RELAYGATE_METRICS_MAX_KEYS", "5",
                                "RELAYGATE_METRICS_REQUIRE_TOKEN", "on",
                                "RELAYGATE_ADMIN_TOKEN", "admin-token-of-the-test"))
                .metrics();
        assertThat(m.perKey()).isTrue();
        assertThat(m.maxKeys()).as("environment wins over the file").isEqualTo(5);
        assertThat(m.maxModels()).isEqualTo(7);
        assertThat(m.requireToken()).isTrue();
        assertThat(ConfigLoader.load(null, Map.of("RELAYGATE_METRICS", "off"))
                        .metrics()
                        .enabled())
                .isFalse();
    }

    @Test
    void metricsSettingsFailWithTheSettingNamed() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_METRICS_REQUIRE_TOKEN", "true")))
                .as("a token to require must exist")
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.requireToken: true (expected: a scheduling.adminToken");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_METRICS_PER_KEY", "maybe")))
                .hasMessage("metrics.perKey: maybe (expected: true or false)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RELAYGATE_METRICS_MAX_KEYS", "0")))
                .hasMessageContaining("metrics.maxKeys: 0");
    }
}
