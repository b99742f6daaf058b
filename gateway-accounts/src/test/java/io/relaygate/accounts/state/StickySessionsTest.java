package io.relaygate.accounts.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StickySessionsTest {

    private static final long HOUR = 3_600_000;

    @Test
    void aNewSessionPerRequestStaysBoundedAndTheRecentlyUsedOnesStay() {
        StickySessions s = new StickySessions();
        s.stick("kept", "acct-kept", 0, HOUR);
        for (int i = 0; i < 3 * StickySessions.MAX; i++) {
            s.stick("one-off-" + i, "acct-" + (i % 3), i, HOUR);
            if (i % 1000 == 0) {
                assertThat(s.use("kept", i, HOUR)).as("a conversation in use").isEqualTo("acct-kept");
            }
        }
        assertThat(s.size()).isEqualTo(StickySessions.MAX);
        assertThat(s.use("kept", 3L * StickySessions.MAX, HOUR)).isEqualTo("acct-kept");
        assertThat(s.use("one-off-0", 3L * StickySessions.MAX, HOUR))
                .as("the least recently used went first")
                .isNull();
        String newest = "one-off-" + (3 * StickySessions.MAX - 1);
        assertThat(s.use(newest, 3L * StickySessions.MAX, HOUR)).isNotNull();
    }

    @Test
    void aSessionExpiresItsTtlAfterItsLastUse() {
        StickySessions s = new StickySessions();
        s.stick("h", "a", 0, 1000);
        assertThat(s.use("h", 900, 1000)).isEqualTo("a");
        assertThat(s.use("h", 1800, 1000)).as("renewed at 900").isEqualTo("a");
        assertThat(s.use("h", 2800, 1000)).as("expired at 2800").isNull();
        assertThat(s.size()).isZero();
    }
}
