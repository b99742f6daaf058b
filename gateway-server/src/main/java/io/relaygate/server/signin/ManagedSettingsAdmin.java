package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Documents;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The operator's side of managed settings, one implementation for {@code relaygate settings} and the admin API
 * ({@code /admin/settings}): list every group's settings with their checksum and last change, give a group settings,
 * take them away. The document keeps, beside {@code groups}, a {@code changes} object ({@code group → {at, by}}) that
 * {@code GET /managed/settings} ignores. Callers write the audit line from the {@link Change} (the audit log belongs
 * to the admin side).
 */
public final class ManagedSettingsAdmin {

    /** The longest group name accepted (identity providers send group names of their own). */
    static final int MAX_GROUP_LENGTH = 200;
    /** How often an edit is redone when other writes keep coming between its read and its write. */
    private static final int MAX_ATTEMPTS = 8;

    private final Documents documents;

    public ManagedSettingsAdmin(Documents documents) {
        this.documents = requireNonNull(documents, "documents");
    }

    /** A change of one group's settings: before and after (null: none). */
    public record Change(
            String group,
            @Nullable JsonNode before,
            @Nullable ObjectNode after,
            ObjectNode view) {}

    /** Checks {@code group} names a group (or {@link ManagedSettings#EVERYONE}); returns it. */
    public static String group(@Nullable String group) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group: missing (expected: a group name, or * for everyone)");
        }
        if (group.length() > MAX_GROUP_LENGTH || group.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("group: " + group.substring(0, Math.min(group.length(), 40))
                    + "… (expected: at most " + MAX_GROUP_LENGTH + " characters, no control characters)");
        }
        return group;
    }

    /** Checks {@code settings} is a Claude Code {@code managed-settings.json}: a JSON object. */
    public static ObjectNode settings(@Nullable JsonNode settings) {
        if (settings == null || !settings.isObject()) {
            throw new IllegalArgumentException("settings: "
                    + (settings == null || settings.isMissingNode() ? "missing" : "a JSON " + settings.getNodeType())
                    + " (expected: a JSON object, the content of a managed-settings.json)");
        }
        return (ObjectNode) settings;
    }

    /** The stored document, parsed. */
    public CompletionStage<ObjectNode> document() {
        return documents.get(Documents.MANAGED_SETTINGS).thenApply(text -> ManagedSettings.parse(text.orElse(null)));
    }

    /** Every group with settings, {@code *} first then by name: {@code {"settings": [view…]}}. */
    public CompletionStage<ObjectNode> list() {
        return document().thenApply(doc -> {
            List<String> groups = new ArrayList<>();
            doc.get("groups").fieldNames().forEachRemaining(groups::add);
            groups.sort((a, b) ->
                    a.equals(ManagedSettings.EVERYONE) ? -1 : b.equals(ManagedSettings.EVERYONE) ? 1 : a.compareTo(b));
            ObjectNode n = ManagedSettings.JSON.createObjectNode();
            ArrayNode a = n.putArray("settings");
            groups.forEach(g -> a.add(view(doc, g)));
            return n;
        });
    }

    /** Gives {@code group} the settings {@code settings} (replacing theirs), recording who and when. */
    public CompletionStage<Change> set(String group, JsonNode settings, String actor, Instant now) {
        String g = group(group);
        ObjectNode s = settings(settings);
        return edit(
                doc -> {
                    JsonNode before = ((ObjectNode) doc.get("groups")).set(g, s);
                    changes(doc).putObject(g).put("at", now.toString()).put("by", actor);
                    return new Change(g, before, s, view(doc, g));
                },
                MAX_ATTEMPTS);
    }

    /** Takes {@code group}'s settings away; {@code NOT_FOUND} when it has none. */
    public CompletionStage<Change> remove(String group, String actor, Instant now) {
        String g = group(group);
        return edit(
                doc -> {
                    JsonNode before = ((ObjectNode) doc.get("groups")).remove(g);
                    if (before == null) {
                        throw new GatewayException(ErrorKind.NOT_FOUND, "group: " + g + " has no settings");
                    }
                    changes(doc).remove(g);
                    ObjectNode view = ManagedSettings.JSON
                            .createObjectNode()
                            .put("group", g)
                            .put("removed", true)
                            .put("changedAt", now.toString())
                            .put("changedBy", actor);
                    return new Change(g, before, null, view);
                },
                MAX_ATTEMPTS);
    }

    /**
     * Reads the document, lets {@code change} change it and writes it back only if nobody wrote it in between
     * ({@link Documents#replace}); otherwise reads again and redoes the change, so that two operators' edits of
     * different groups at the same moment both stay.
     */
    private CompletionStage<Change> edit(Function<ObjectNode, Change> change, int attempts) {
        return documents.get(Documents.MANAGED_SETTINGS).thenCompose(text -> {
            ObjectNode doc = ManagedSettings.parse(text.orElse(null));
            Change done = change.apply(doc);
            return documents
                    .replace(Documents.MANAGED_SETTINGS, text, doc.toString())
                    .thenCompose(written -> {
                        if (written) {
                            return CompletableFuture.completedFuture(done);
                        }
                        if (attempts <= 1) {
                            throw new GatewayException(
                                    ErrorKind.UNAVAILABLE,
                                    "managed settings: changed by others " + MAX_ATTEMPTS + " times while this change"
                                            + " was being made; try again");
                        }
                        return edit(change, attempts - 1);
                    });
        });
    }

    /** One group's entry: {@code {group, checksum, settings, changedAt?, changedBy?}}. */
    static ObjectNode view(ObjectNode doc, String group) {
        JsonNode settings = doc.get("groups").get(group);
        ObjectNode o = ManagedSettings.JSON
                .createObjectNode()
                .put("group", group)
                .put("everyone", group.equals(ManagedSettings.EVERYONE))
                .put("checksum", ManagedSettings.checksum(settings));
        o.set("settings", settings);
        JsonNode change = doc.path("changes").path(group);
        if (change.isObject()) {
            o.put("changedAt", change.path("at").asText());
            o.put("changedBy", change.path("by").asText());
        }
        return o;
    }

    private static ObjectNode changes(ObjectNode doc) {
        JsonNode c = doc.get("changes");
        return c != null && c.isObject() ? (ObjectNode) c : doc.putObject("changes");
    }
}
