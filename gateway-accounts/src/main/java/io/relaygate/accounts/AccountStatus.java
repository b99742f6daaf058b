package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.core.Account;
import java.util.Map;

/**
 * One schedulable account as this instance's scheduler sees it now, for metrics.
 *
 * @param account the account
 * @param condition why it is out of rotation, or null when it is in rotation
 * @param headroom for each live window of its newest quota reading, the fraction left (0..1); empty when nothing is
 *     known
 */
public record AccountStatus(
        Account account,
        AccountCondition.@org.jspecify.annotations.Nullable State condition,
        Map<AccountQuota.Window, Double> headroom) {

    public AccountStatus {
        requireNonNull(account, "account");
        headroom = Map.copyOf(headroom);
    }
}
