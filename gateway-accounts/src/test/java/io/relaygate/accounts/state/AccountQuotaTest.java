package io.relaygate.accounts.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.accounts.state.AccountQuota.Use;
import io.relaygate.accounts.state.AccountQuota.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccountQuotaTest {

    private static final Instant T0 = Instant.parse("2026-03-04T10:15:00Z");

    @Test
    void headroomIsOneMinusTheMostUsedWindowThatHasNotReset() {
        AccountQuota q = new AccountQuota(
                Map.of(
                        Window.UNIFIED_5H, Use.of(0.62, T0.plus(Duration.ofHours(2))),
                        Window.UNIFIED_7D, Use.of(0.18, T0.plus(Duration.ofDays(3)))),
                T0);

        assertThat(q.headroom(T0)).isCloseTo(0.38, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(q.headroom(T0.plus(Duration.ofHours(2))))
                .as("the 5h window reset: only the 7d one counts")
                .isCloseTo(0.82, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(q.headroom(T0.plus(Duration.ofDays(3)))).as("both reset").isEqualTo(1);
        assertThat(q.soonestReset(T0)).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(q.liveWindows(T0.plus(Duration.ofHours(3)))).containsOnlyKeys(Window.UNIFIED_7D);
    }

    @Test
    void aWindowWithoutAResetIsBelievedForALimitedTime() {
        AccountQuota q = new AccountQuota(Map.of(Window.REQUESTS, Use.of(0.5, null)), T0);

        assertThat(q.headroom(T0.plusSeconds(10))).isEqualTo(0.5);
        assertThat(q.headroom(T0.plus(AccountQuota.NO_RESET_TTL))).isEqualTo(1);
        assertThat(new AccountQuota(Map.of(), T0).headroom(T0))
                .as("nothing reported, nothing spent")
                .isEqualTo(1);
    }

    @Test
    void fractionsAreClampedAndOutOfRangeOnesRefusedByTheConstructor() {
        assertThat(Use.of(1.3, null).used()).isEqualTo(1);
        assertThat(Use.of(-0.2, null).used()).isEqualTo(0);
        assertThat(Use.of(Double.NaN, null).used()).isEqualTo(0);
        assertThatThrownBy(() -> new Use(1.5, null)).hasMessage("used: 1.5 (expected: 0..1)");
    }

    @Test
    void aNewerReadingKeepsTheOlderWindowsItLacksWhileTheyAreLive() {
        AccountQuota older = new AccountQuota(
                Map.of(
                        Window.REQUESTS, Use.of(0.1, T0.plusSeconds(30)),
                        Window.TOKENS, Use.of(0.3, T0.plusSeconds(90)),
                        Window.OUTPUT_TOKENS, Use.of(0.2, T0.plusSeconds(5))),
                T0);
        AccountQuota newer =
                new AccountQuota(Map.of(Window.REQUESTS, Use.of(0.4, T0.plusSeconds(60))), T0.plusSeconds(10));

        AccountQuota merged = newer.over(older);

        assertThat(merged.observedAt()).isEqualTo(newer.observedAt());
        assertThat(merged.windows())
                .as("requests replaced, tokens kept, output tokens had reset before the newer reading")
                .containsOnlyKeys(Window.REQUESTS, Window.TOKENS)
                .containsEntry(Window.REQUESTS, Use.of(0.4, T0.plusSeconds(60)));
        assertThat(older.over(newer))
                .as("an older reading does not override a newer one")
                .isSameAs(older);
        assertThat(AccountQuota.newest(older, newer)).isSameAs(newer);
        assertThat(AccountQuota.newest(null, older)).isSameAs(older);
    }

    @Test
    void theCodecRoundTripsAndSkipsWhatThisVersionDoesNotKnow() {
        AccountQuota q = new AccountQuota(
                Map.of(
                        Window.CODEX_PRIMARY, Use.of(0.425, T0.plusSeconds(600)),
                        Window.INPUT_TOKENS, Use.of(0.5, null)),
                T0);

        String encoded = q.encode();

        assertThat(encoded)
                .isEqualTo("{\"at\":" + T0.toEpochMilli() + ",\"w\":{\"in\":[0.5,null],\"primary\":[0.425,"
                        + T0.plusSeconds(600).toEpochMilli() + "]}}");
        assertThat(AccountQuota.decode(encoded)).isEqualTo(q);
        assertThat(AccountQuota.decode("{\"at\":5,\"w\":{\"9h\":[0.5,1],\"tok\":[0.25,7]}}"))
                .isEqualTo(new AccountQuota(
                        Map.of(Window.TOKENS, Use.of(0.25, Instant.ofEpochMilli(7))), Instant.ofEpochMilli(5)));
        assertThat(AccountQuota.decode("not json")).isNull();
        assertThat(AccountQuota.decode("{\"w\":{}}")).isNull();
    }
}
