package io.relaygate.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.WriteId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the usage journal puts on disk when: the lines a killed process leaves for the next start to replay. */
class UsageJournalLinesTest {

    private static final UsageRecord RECORD = new UsageRecord(
            "kid",
            "acct",
            "model",
            new UsageCounters(1, 0, 300, 20, 0, 0, 4_000),
            Instant.parse("2026-12-07T10:15:30Z"),
            null,
            false,
            null,
            true,
            EnumSet.of(Period.DAY));

    @TempDir
    Path dir;

    @Test
    void anAcknowledgementWaitsForTheNextLineOrWriteIdButNeverLetsTheLowMarkPassAWriteWhoseLineIsMissing()
            throws IOException {
        UsageJournal journal = UsageJournal.open(dir);
        long first = journal.appendWrite(true, RECORD, new long[0]);
        long second = journal.appendWrite(true, RECORD, new long[0]);
        journal.done(first);
        assertThat(lines()).as("the acknowledgement waits in memory").doesNotContain("D " + first);

        WriteId id = journal.id(second);

        assertThat(id.low())
                .as("the first write is acknowledged: the store may forget it")
                .isEqualTo(second);
        assertThat(lines()).as("so its line is on disk before the id leaves").contains("D " + first);
        journal.close();
    }

    @Test
    void aKilledProcessMayLoseAnAcknowledgementAndTheNextStartSendsThatWriteAgain() throws IOException {
        UsageJournal journal = UsageJournal.open(dir);
        long[] ids = journal.appendRecordAndSpend(RECORD, RECORD.withoutLease());
        journal.done(ids[1]);
        // killed: nothing more written, the file lock goes with the process
        journal.abandon();

        UsageJournal next = UsageJournal.open(dir);

        assertThat(next.replayed().writes())
                .as("the spend whose acknowledgement was still in memory: sent again, skipped by the store by its id")
                .extracting(UsageJournal.Write::seq)
                .containsExactly(ids[1]);
        assertThat(next.replayed().records()).as("the record, in no batch yet").hasSize(1);
        next.close();
    }

    @Test
    void aRecordAndItsSpendAreOneWrite() throws IOException {
        UsageJournal journal = UsageJournal.open(dir);
        int before = lines().size();
        long[] ids = journal.appendRecordAndSpend(RECORD, RECORD.withoutLease());

        List<String> added = lines().subList(before, lines().size());

        assertThat(added).hasSize(2);
        assertThat(added.get(0)).startsWith("R " + ids[0] + " ");
        assertThat(added.get(1)).startsWith("W " + ids[1] + " 1 ");
        assertThat(journal.openWrites()).isEqualTo(1);
        journal.close();
    }

    private List<String> lines() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .flatMap(p -> {
                        try {
                            return Files.readAllLines(p).stream();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }
}
