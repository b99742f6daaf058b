package io.relaygate.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.relaygate.accounts.AccountStatus;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.AccountQuota;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The accounts' state ({@code relaygate_account_state}: 1 for the state each account is in, 0 for the others) and
 * quota headroom per upstream window ({@code relaygate_account_quota_headroom}, 0..1), rewritten from the scheduler's
 * view at every scrape: accounts come and go, and a removed account's series go with it.
 */
final class AccountGauges {

    /** The state label's values: in rotation, or one of the conditions. */
    static final List<String> STATES;

    static {
        List<String> s = new ArrayList<>();
        s.add("active");
        for (AccountCondition.State c : AccountCondition.State.values()) {
            s.add(c.name().toLowerCase(Locale.ROOT));
        }
        STATES = List.copyOf(s);
    }

    private final MultiGauge state;
    private final MultiGauge headroom;

    AccountGauges(MeterRegistry registry) {
        state = MultiGauge.builder("relaygate.account.state")
                .description("1 for the state the account is in (active, rate_limited, overloaded, unauthorized,"
                        + " unreachable), 0 for the others")
                .register(registry);
        headroom = MultiGauge.builder("relaygate.account.quota.headroom")
                .description("Fraction of the upstream's window left (1 - used), by account and window, as the"
                        + " upstream last reported it")
                .register(registry);
    }

    void update(List<AccountStatus> accounts) {
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        List<MultiGauge.Row<?>> rooms = new ArrayList<>();
        for (AccountStatus a : accounts) {
            String name = a.account().name();
            AccountCondition.State c = a.condition();
            String current = c == null ? "active" : c.name().toLowerCase(Locale.ROOT);
            for (String s : STATES) {
                states.add(MultiGauge.Row.of(Tags.of("account", name, "state", s), s.equals(current) ? 1 : 0));
            }
            a.headroom()
                    .forEach((w, left) ->
                            rooms.add(MultiGauge.Row.of(Tags.of("account", name, "window", window(w)), left)));
        }
        state.register(states, true);
        headroom.register(rooms, true);
    }

    private static String window(AccountQuota.Window w) {
        return w.name().toLowerCase(Locale.ROOT);
    }
}
