package io.relaygate.accounts;

import io.relaygate.core.Account;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Upstream accounts. In memory credentials are plain text; every backend encrypts the credential and the proxy URL
 * at rest. Names are unique.
 */
public interface AccountStore {

    /** Adds {@code account}; fails with {@link DuplicateNameException} when its name (or id) is taken. */
    CompletionStage<Account> create(Account account);

    CompletionStage<Optional<Account>> findById(String id);

    CompletionStage<Optional<Account>> findByName(String name);

    /** Every account, ordered by name. */
    CompletionStage<List<Account>> list();

    /**
     * Replaces the account with {@code account.id()}; fails with a {@code NOT_FOUND}
     * {@link io.relaygate.core.GatewayException} when there is none, and with {@link DuplicateNameException} when a
     * rename collides with another account.
     */
    CompletionStage<Account> update(Account account);
}
