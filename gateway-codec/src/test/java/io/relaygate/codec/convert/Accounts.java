package io.relaygate.codec.convert;

import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test accounts of each kind. */
final class Accounts {

    private Accounts() {}

    static Account of(AccountKind kind) {
        return of(kind, Map.of());
    }

    static Account of(AccountKind kind, Map<String, String> modelMap) {
        return new Account(
                "a1",
                "acct",
                kind,
                "http://127.0.0.1:1",
                "key",
                null,
                Account.DEFAULT_PRIORITY,
                true,
                null,
                List.of(),
                modelMap,
                Instant.EPOCH,
                null,
                Map.of());
    }
}
