package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.accounts.Documents;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.server.signin.ManagedSettingsAdmin;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The admin API of the managed settings signed-in Claude Code clients receive, the same operations as
 * {@code relaygate settings} ({@link ManagedSettingsAdmin}), each change audited:
 *
 * <ul>
 *   <li>{@code GET /admin/settings}: {@code {"settings": [{group, everyone, checksum, settings, changedAt, changedBy}]}}
 *   <li>{@code POST /admin/settings} {@code {"group", "settings": {…}}}: gives the group (or {@code *}, everyone
 *       whose groups have none) these settings, replacing theirs; answers the entry
 *   <li>{@code POST /admin/settings/remove} {@code {"group"}}: takes them away (404 when it has none)
 * </ul>
 */
final class ManagedSettingsApi {

    static final String PATH = "/admin/settings";
    static final String REMOVE = PATH + "/remove";

    private final ManagedSettingsAdmin settings;

    ManagedSettingsApi(Documents documents) {
        this.settings = new ManagedSettingsAdmin(documents);
    }

    static boolean matches(String path) {
        return path.equals(PATH) || path.equals(REMOVE);
    }

    CompletionStage<AdminAnswer> get(String path) {
        if (!path.equals(PATH)) {
            throw new GatewayException(ErrorKind.METHOD_NOT_ALLOWED, "GET " + path + " (expected: GET " + PATH + ")");
        }
        return settings.list().thenApply(AdminAnswer::ok);
    }

    CompletionStage<AdminAnswer> post(String path, JsonNode body, String actor, Instant now) {
        String group = body.path("group").isTextual() ? body.path("group").asText() : null;
        if (path.equals(REMOVE)) {
            return settings.remove(ManagedSettingsAdmin.group(group), actor, now)
                    .thenApply(c -> {
                        Audit.change(actor, "settings.remove", "settings:" + c.group(), c.before(), null);
                        return AdminAnswer.ok(c.view());
                    });
        }
        return settings.set(ManagedSettingsAdmin.group(group), body.path("settings"), actor, now)
                .thenApply(c -> {
                    Audit.change(actor, "settings.set", "settings:" + c.group(), c.before(), c.after());
                    return AdminAnswer.ok(c.view());
                });
    }
}
