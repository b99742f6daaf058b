package io.relaygate.server;

import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The accounts the tests put in a store: schedulable, no proxy, no group, any model, no model map. */
public final class TestAccounts {

    private TestAccounts() {}

    /** An {@code anthropic-api} account at {@code baseUrl} (the mock) with a fresh id and the default priority. */
    public static Account anthropic(String name, String baseUrl, String credential) {
        return of(
                "acc_" + Ids.random(10),
                name,
                AccountKind.ANTHROPIC_API,
                baseUrl,
                credential,
                Account.DEFAULT_PRIORITY,
                List.of());
    }

    /** An account of any kind, everything given. */
    public static Account of(
            String id,
            String name,
            AccountKind kind,
            String baseUrl,
            String credential,
            int priority,
            List<String> models) {
        return new Account(
                id,
                name,
                kind,
                baseUrl,
                credential,
                null,
                priority,
                true,
                null,
                models,
                Map.of(),
                Instant.now(),
                null,
                Map.of());
    }
}
