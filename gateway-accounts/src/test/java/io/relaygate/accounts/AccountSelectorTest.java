package io.relaygate.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AccountSelectorTest {

    private static final Duration TTL = Duration.ofSeconds(1);

    private final List<Account> accounts = new ArrayList<>();
    private final AtomicInteger listCalls = new AtomicInteger();
    private volatile boolean down;
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final AccountSelector selector = new AccountSelector(new ListOnlyStore(), ticker, TTL);

    static Account account(
            String name,
            AccountKind kind,
            int priority,
            boolean schedulable,
            List<String> models,
            Map<String, String> map) {
        return new Account(
                name + "-id",
                name,
                kind,
                "http://127.0.0.1:9",
                "sk-x",
                null,
                priority,
                schedulable,
                null,
                models,
                map,
                Instant.EPOCH,
                null,
                Map.of());
    }

    static Account anthropic(String name, int priority) {
        return account(name, AccountKind.ANTHROPIC_API, priority, true, List.of(), Map.of());
    }

    static List<String> names(CompletionStage<List<Account>> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS).stream()
                .map(Account::name)
                .toList();
    }

    @Test
    void whileTheStoreIsAwayTheAccountsLastReadAreServedForStaleForThenTheFailureShows() throws Exception {
        AccountSelector bounded = new AccountSelector(new ListOnlyStore(), ticker, TTL, Duration.ofMinutes(10));
        accounts.add(anthropic("main", 10));
        assertThat(names(bounded.candidates(WireFormat.ANTHROPIC, null))).containsExactly("main");
        down = true;
        nanos.addAndGet(TTL.toNanos() + 1);

        assertThat(names(bounded.candidates(WireFormat.ANTHROPIC, null)))
                .as("served as last read")
                .containsExactly("main");
        int calls = listCalls.get();
        assertThat(names(bounded.candidates(WireFormat.ANTHROPIC, null))).containsExactly("main");
        assertThat(listCalls.get())
                .as("the stale list is reused for the cache time, not asked for on every request")
                .isEqualTo(calls);

        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(bounded.candidates(WireFormat.ANTHROPIC, null).toCompletableFuture())
                .as("older than staleFor: the store's failure shows")
                .failsWithin(Duration.ofSeconds(5));

        down = false;
        assertThat(names(bounded.candidates(WireFormat.ANTHROPIC, null))).containsExactly("main");
    }

    @Test
    void candidatesAreOrderedByPriorityThenName() throws Exception {
        accounts.add(anthropic("zeta", 10));
        accounts.add(anthropic("beta", 50));
        accounts.add(anthropic("alpha", 50));
        accounts.add(account("oauth", AccountKind.CLAUDE_OAUTH, 5, true, List.of(), Map.of()));

        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, "claude-sonnet-4-5")))
                .containsExactly("oauth", "zeta", "alpha", "beta");
    }

    @Test
    void onlySchedulableAccountsOfTheRequestFormatQualify() throws Exception {
        accounts.add(anthropic("on", 50));
        accounts.add(account("off", AccountKind.ANTHROPIC_API, 1, false, List.of(), Map.of()));
        accounts.add(account("chat", AccountKind.OPENAI_COMPATIBLE, 1, true, List.of(), Map.of()));
        accounts.add(account("responses", AccountKind.CODEX_OAUTH, 1, true, List.of(), Map.of()));

        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, null))).containsExactly("on");
        assertThat(names(selector.candidates(WireFormat.OPENAI_CHAT, null))).containsExactly("chat");
        assertThat(names(selector.candidates(WireFormat.OPENAI_RESPONSES, null)))
                .containsExactly("responses");
    }

    @Test
    void modelsAreMatchedExactlyThenIgnoringCaseAndThroughTheModelMap() throws Exception {
        accounts.add(account("listed", AccountKind.ANTHROPIC_API, 1, true, List.of("claude-sonnet-4-5"), Map.of()));
        accounts.add(account(
                "mapped", AccountKind.ANTHROPIC_API, 2, true, List.of("x-model"), Map.of("haiku", "claude-haiku-4-5")));
        accounts.add(anthropic("any", 3));

        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, "claude-sonnet-4-5")))
                .containsExactly("listed", "any");
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, "Claude-Sonnet-4-5")))
                .as("case-insensitive")
                .containsExactly("listed", "any");
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, "HAIKU")))
                .as("a model map key counts")
                .containsExactly("mapped", "any");
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, "gpt-5")))
                .as("only the account without a model list serves an unlisted model")
                .containsExactly("any");
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, null)))
                .as("no model asked: all")
                .containsExactly("listed", "mapped", "any");
    }

    @Test
    void theAccountListIsReadOncePerTtl() throws Exception {
        accounts.add(anthropic("first", 1));
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, null))).containsExactly("first");

        accounts.add(anthropic("second", 2));
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, null)))
                .as("within the TTL the cached list is used")
                .containsExactly("first");
        assertThat(listCalls).hasValue(1);

        nanos.addAndGet(TTL.toNanos() + 1);
        assertThat(names(selector.candidates(WireFormat.ANTHROPIC, null))).containsExactly("first", "second");
        assertThat(listCalls).hasValue(2);
    }

    /** Serves only {@code list()}, which is all the selector may use. */
    private final class ListOnlyStore implements AccountStore {

        @Override
        public CompletionStage<List<Account>> list() {
            listCalls.incrementAndGet();
            if (down) {
                return CompletableFuture.failedFuture(new IllegalStateException("store away"));
            }
            return CompletableFuture.completedFuture(List.copyOf(accounts));
        }

        @Override
        public CompletionStage<Account> create(Account account) {
            throw new AssertionError("the selector only lists");
        }

        @Override
        public CompletionStage<Optional<Account>> findById(String id) {
            throw new AssertionError("the selector only lists");
        }

        @Override
        public CompletionStage<Optional<Account>> findByName(String name) {
            throw new AssertionError("the selector only lists");
        }

        @Override
        public CompletionStage<Account> update(Account account) {
            throw new AssertionError("the selector only lists");
        }
    }
}
