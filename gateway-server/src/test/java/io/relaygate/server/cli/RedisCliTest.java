package io.relaygate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisCliTest extends CliContract {

    @RegisterExtension
    final RedisKeys redis = new RedisKeys();

    @Override
    Map<String, String> env() {
        return Map.of(
                "REDIS_URL", CliRedis.url(),
                "RELAYGATE_REDIS_PREFIX", redis.prefix(),
                "RELAYGATE_DATA_DIR", dataDir.toString());
    }

    @Test
    void keysReleaseFreesTheLeasesADeadInstanceLeftAndIsAudited() throws Exception {
        com.fasterxml.jackson.databind.JsonNode key =
                json(run("keys", "create", "--name", "alice", "--concurrency", "1", "--json"));
        io.relaygate.core.ApiKey alice;
        java.time.Instant now = java.time.Instant.now();
        try (io.relaygate.accounts.Store store = openStore()) {
            alice = Cli.await(store.keys().findById(key.get("id").asText())).orElseThrow();
            assertThat(admit(store, alice, "held-by-a-killed-instance", now).admitted())
                    .isTrue();
            assertThat(admit(store, alice, "next", now).admitted())
                    .as("the slot is taken")
                    .isFalse();
        }

        Result released = run("keys", "release", "alice");

        assertThat(released.code()).as(released.err()).isZero();
        assertThat(released.out()).contains("Released 1 lease of key alice.");
        try (io.relaygate.accounts.Store store = openStore()) {
            assertThat(admit(store, alice, "next", now).admitted())
                    .as("free at once, not after the lease TTL")
                    .isTrue();
        }
        Result unknown = run("keys", "release", "nobody");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("nobody not found");
    }

    private static io.relaygate.accounts.state.Admission admit(
            io.relaygate.accounts.Store store, io.relaygate.core.ApiKey key, String lease, java.time.Instant now) {
        java.time.Duration ttl = java.time.Duration.ofMinutes(2);
        return Cli.await(store.state()
                .admit(new io.relaygate.accounts.state.AdmissionRequest(
                        key.id(), key.rules(), lease, ttl, now, null, ttl)));
    }

    @Test
    void theCommandsWriteUnderTheConfiguredPrefix() {
        assertThat(run("keys", "create", "--name", "alice").code()).isZero();

        String id = CliRedis.with(r -> r.hget(redis.prefix() + "{keys}:byName", "alice"));
        assertThat(id).as("the key landed in this run's Redis keys").isNotNull().hasSize(10);
    }
}
