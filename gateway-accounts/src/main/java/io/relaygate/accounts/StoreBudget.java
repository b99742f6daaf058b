package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Durations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The longest a request waits for one store read on its path ({@code scheduling.storeBudget}). A read that takes
 * longer fails with a {@link StoreException} when the budget runs out, and its caller goes on as in a store outage:
 * keys and accounts as last read, the request admitted without its key's limits, no half-open trial. A slow store (a
 * Redis swapping, a saturated link) then costs each request at most the budget instead of the client's 5 s command
 * timeout. The read itself is not cancelled; what it answers late is dropped, or handed to {@code late} when it took
 * something that must be given back (a concurrency lease).
 */
public final class StoreBudget {

    /** No budget: every read is awaited as long as the store client lets it run (tests of the parts, the CLI). */
    public static final StoreBudget NONE = new StoreBudget(Duration.ZERO);

    private final Duration budget;
    private final long millis;

    /** {@code budget} zero: no budget. */
    public StoreBudget(Duration budget) {
        requireNonNull(budget, "budget");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("budget: " + budget + " (expected: >= 0)");
        }
        this.budget = budget;
        this.millis = budget.toMillis();
    }

    public Duration budget() {
        return budget;
    }

    /** {@code read}, or a {@link StoreException} once the budget ran out; {@code read} itself is left alone. */
    <T> CompletableFuture<T> within(CompletionStage<T> read, String what) {
        return within(read, what, late -> {});
    }

    /**
     * {@code read}, or a {@link StoreException} once the budget ran out; if {@code read} then still succeeds, its result
     * goes to {@code late}.
     */
    <T> CompletableFuture<T> within(CompletionStage<T> read, String what, Consumer<? super T> late) {
        CompletableFuture<T> source = read.toCompletableFuture();
        if (millis <= 0 || source.isDone()) {
            return source;
        }
        CompletableFuture<T> bounded = new CompletableFuture<>();
        source.whenComplete((value, error) -> {
            boolean inTime = error == null ? bounded.complete(value) : bounded.completeExceptionally(error);
            if (!inTime && error == null) {
                late.accept(value);
            }
        });
        // orTimeout's timer is cancelled when the read completes first; it fires on the JDK's delayer thread.
        return bounded.orTimeout(millis, TimeUnit.MILLISECONDS).handle((value, error) -> {
            if (error == null) {
                return value;
            }
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof TimeoutException) {
                throw new CompletionException(new StoreException(
                        what + " took longer than scheduling.storeBudget (" + Durations.format(budget) + ")"));
            }
            throw error instanceof CompletionException ce ? ce : new CompletionException(error);
        });
    }
}
