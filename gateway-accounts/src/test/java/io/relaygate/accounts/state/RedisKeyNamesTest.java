package io.relaygate.accounts.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisKeyNamesTest {

    private static final Instant MONDAY = Instant.parse("2026-12-07T08:00:00Z");

    @Test
    void namesAreTheOnesTheScriptsReadAndFollowTheWindowAndTheBucket() {
        RedisKeyNames.Names n = new RedisKeyNames("p:").of("key1");
        assertThat(n.lease).isEqualTo("p:{k:key1}:lease");
        assertThat(n.noSession).isEqualTo("p:{k:key1}:s:-");
        assertThat(n.requestWindow(60_000)).isEqualTo("p:{k:key1}:rw:60000");
        assertThat(n.requestWindow(120_000)).as("the next window").isEqualTo("p:{k:key1}:rw:120000");
        assertThat(n.tokenWindow(120_000)).isEqualTo("p:{k:key1}:tw:120000");
        for (Period p : List.of(Period.DAY, Period.WEEK, Period.TOTAL)) {
            assertThat(n.usage(p, MONDAY))
                    .isEqualTo(RedisSharedState.usageKey("p:", UsageScope.KEY, "key1", p, p.bucket(MONDAY)));
        }
        Instant nextWeek = MONDAY.plus(Duration.ofDays(7));
        assertThat(n.usage(Period.DAY, nextWeek)).endsWith(":u:DAY:2026-12-14");
        assertThat(n.usage(Period.WEEK, nextWeek)).endsWith(":u:WEEK:" + Period.WEEK.bucket(nextWeek));
        assertThat(n.usage(Period.WEEK, MONDAY)).as("back again").endsWith(":u:WEEK:2026-W50");
    }

    @Test
    void limitsFollowTheRulesAndEndsTheDay() {
        RedisKeyNames names = new RedisKeyNames("p:");
        RedisKeyNames.Names n = names.of("key1");
        String[] args = new String[15];
        n.limits(rules(2, 100L, 0.5), args);
        assertThat(args).containsSequence("2", "100").contains("500000");
        n.limits(rules(3, null, null), args);
        assertThat(args[3]).isEqualTo("3");
        assertThat(args[4]).as("no request limit").isEqualTo("-1");
        assertThat(args[8]).isEqualTo("-1");
        names.ends(MONDAY, args);
        assertThat(args[11]).isEqualTo(Long.toString(Period.DAY.end(MONDAY).toEpochMilli()));
        assertThat(args[12]).isEqualTo(Long.toString(Period.WEEK.end(MONDAY).toEpochMilli()));
        Instant tuesday = MONDAY.plus(Duration.ofDays(1));
        names.ends(tuesday, args);
        assertThat(args[11]).isEqualTo(Long.toString(Period.DAY.end(tuesday).toEpochMilli()));
    }

    @Test
    void keepsAtMostMaxKeysAndTheSameNamesWhileKept() {
        RedisKeyNames names = new RedisKeyNames("p:");
        RedisKeyNames.Names first = names.of("k0");
        assertThat(names.of("k0")).isSameAs(first);
        for (int i = 1; i <= RedisKeyNames.MAX_KEYS; i++) {
            names.of("k" + i);
        }
        assertThat(names.size()).isLessThanOrEqualTo(RedisKeyNames.MAX_KEYS);
        assertThat(names.of("k0").lease).isEqualTo(first.lease);
    }

    @Test
    void aNumberIsEncodedAgainOnlyWhenItChanges() {
        RedisKeyNames.Number a = RedisKeyNames.millis(RedisKeyNames.Number.NONE, Duration.ofSeconds(90));
        assertThat(a.text()).isEqualTo("90000");
        assertThat(RedisKeyNames.millis(a, Duration.ofSeconds(90))).isSameAs(a);
        assertThat(RedisKeyNames.millis(a, Duration.ofSeconds(91)).text()).isEqualTo("91000");
    }

    private static KeyRules rules(Integer conc, Long reqs, Double daily) {
        return SharedStateContract.rules(
                conc, reqs, reqs == null ? null : Duration.ofMinutes(1), null, null, daily, null, null);
    }
}
