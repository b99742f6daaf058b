package io.relaygate.accounts.state;

/**
 * What a key had spent, in micro-USD, in the buckets its cost limits read, as the admission that let a request in read
 * them (no extra store call: the admission reads them to check the limits anyway). A part is {@link #UNREAD} when the
 * key has no such limit.
 *
 * @param day the current UTC day's cost
 * @param week the current ISO week's cost
 * @param total the lifetime cost
 */
public record CostSpend(long day, long week, long total) {

    /** The value of a bucket no limit read. */
    public static final long UNREAD = -1;

    /** Nothing read (a key without cost limits, or an admission that could not reach the store). */
    public static final CostSpend NONE = new CostSpend(UNREAD, UNREAD, UNREAD);

    /** Whether any bucket was read. */
    public boolean known() {
        return day >= 0 || week >= 0 || total >= 0;
    }
}
