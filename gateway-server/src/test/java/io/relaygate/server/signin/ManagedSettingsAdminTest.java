package io.relaygate.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedSettingsAdminTest {

    @Test
    void editsOfDifferentGroupsMadeAtTheSameMomentAllStay(@TempDir Path dir) throws Exception {
        try (Store store = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dir, null, "t:"), Map.of())) {
            ManagedSettingsAdmin admin = new ManagedSettingsAdmin(store.documents());
            Instant now = Instant.parse("2026-12-07T08:00:00Z");
            // every edit reads the document before any of them writes it: without the compare-and-set only the last
            // write's group would be left
            List<CompletableFuture<ManagedSettingsAdmin.Change>> edits = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonNode settings = ManagedSettings.JSON.createObjectNode().put("n", i);
                edits.add(admin.set("group-" + i, settings, "op-" + i, now).toCompletableFuture());
            }
            CompletableFuture.allOf(edits.toArray(CompletableFuture[]::new)).join();

            JsonNode groups = admin.document().toCompletableFuture().join().get("groups");
            for (int i = 0; i < 6; i++) {
                assertThat(groups.path("group-" + i).path("n").asInt(-1))
                        .as("group-" + i)
                        .isEqualTo(i);
            }
            admin.remove("group-3", "op", now).toCompletableFuture().join();
            assertThat(admin.document()
                            .toCompletableFuture()
                            .join()
                            .get("groups")
                            .has("group-3"))
                    .isFalse();
        }
    }
}
