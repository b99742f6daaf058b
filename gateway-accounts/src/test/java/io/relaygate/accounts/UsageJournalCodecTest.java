package io.relaygate.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class UsageJournalCodecTest {

    private static final Instant T0 = Instant.parse("2026-03-04T10:15:30.123456789Z");

    @Test
    void aRecordKeepsTheBucketsItsKeyLimitsTheCostOfThroughTheJournal() {
        UsageRecord r = new UsageRecord(
                "kid",
                "acct",
                "model",
                new UsageCounters(1, 0, 300, 20, 0, 0, 4_000),
                T0,
                Duration.ofHours(1),
                false,
                null,
                true,
                EnumSet.of(Period.DAY, Period.TOTAL));

        assertThat(UsageJournal.decode(UsageJournal.encode(r))).isEqualTo(r);
        UsageRecord none = new UsageRecord(
                "kid", null, null, UsageCounters.ZERO, T0, null, true, null, false, EnumSet.noneOf(Period.class));
        assertThat(UsageJournal.decode(UsageJournal.encode(none)).costLimits()).isEmpty();
    }

    @Test
    void aLineWrittenBeforeCostLimitsWereJournalledMeansAllThreeBuckets() {
        // the spend of that version counted the cost in the day, week and total: its counted record must not again
        String old = "[\"kid\",\"acct\",null,[1,0,300,20,0,0,4000],1772619330,123456789,-1,false,null,true]";

        UsageRecord r = UsageJournal.decode(old);

        assertThat(r.limitsCounted()).isTrue();
        assertThat(r.costLimits()).containsExactlyInAnyOrder(Period.DAY, Period.WEEK, Period.TOTAL);
    }
}
