package io.relaygate.accounts.state;

/** The answer to {@link SharedState#claimTrial}. */
public enum TrialClaim {
    /** The caller holds the account's one trial: send it this request. */
    CLAIMED,
    /** Another request holds the trial, or the account is cooling down again: pass it over. */
    TAKEN,
    /** The account has no condition any more (a trial succeeded elsewhere, or an operator resumed it). */
    RECOVERED
}
