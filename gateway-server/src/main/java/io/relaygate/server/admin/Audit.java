package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.core.Secrets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log of admin changes ({@code io.relaygate.audit}, {@code audit.log}): who changed what, before and after,
 * one line each. The JSON views never hold credentials (accounts show none, keys only their visible prefix), and the
 * line is redacted once more before it is written.
 */
public final class Audit {

    private static final Logger audit = LoggerFactory.getLogger("io.relaygate.audit");

    private Audit() {}

    public static void change(
            String actor, String action, String target, @Nullable JsonNode before, @Nullable JsonNode after) {
        audit.info(Secrets.redact("actor=\"" + actor + "\" action=" + action + " target=" + target + " before="
                + (before == null ? "-" : before.toString()) + " after=" + (after == null ? "-" : after.toString())));
    }
}
