package io.relaygate.accounts;

import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.config.StoreConfig;
import java.util.Map;

class LocalSchedulerTest extends SchedulerContract {

    private Store only;

    /** The embedded store is one process: a "second instance" is the same store. */
    @Override
    Store openStore() {
        if (only == null) {
            only = StoreFactory.open(new StoreConfig(StoreConfig.LOCAL, dataDir, null, "x:"), Map.of());
            return only;
        }
        return new Store() {
            @Override
            public ApiKeyStore keys() {
                return only.keys();
            }

            @Override
            public AccountStore accounts() {
                return only.accounts();
            }

            @Override
            public io.relaygate.accounts.state.SharedState state() {
                return only.state();
            }

            @Override
            public Locks locks() {
                return only.locks();
            }

            @Override
            public AdminStore admin() {
                return only.admin();
            }

            @Override
            public io.relaygate.accounts.people.PeopleStore people() {
                return only.people();
            }

            @Override
            public io.relaygate.accounts.people.SignInStore signIns() {
                return only.signIns();
            }

            @Override
            public Documents documents() {
                return only.documents();
            }

            @Override
            public StoreChanges changes() {
                return only.changes();
            }

            @Override
            public io.relaygate.accounts.ledger.RequestRecords requests() {
                return only.requests();
            }

            @Override
            public String describe() {
                return only.describe();
            }

            @Override
            public void close() {}
        };
    }
}
