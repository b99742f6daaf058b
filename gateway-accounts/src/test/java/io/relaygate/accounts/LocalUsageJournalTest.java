package io.relaygate.accounts;

import io.relaygate.accounts.state.LocalSharedState;
import io.relaygate.accounts.state.SharedState;

class LocalUsageJournalTest extends UsageJournalContract {

    private final LocalSharedState state = new LocalSharedState();

    @Override
    SharedState state() {
        return state;
    }
}
