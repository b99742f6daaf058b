package io.relaygate.accounts.state;

/** What usage counters are kept per. */
public enum UsageScope {
    KEY("k"),
    ACCOUNT("a"),
    MODEL("m");

    final String tag;

    UsageScope(String tag) {
        this.tag = tag;
    }
}
