package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.SharedState;
import io.relaygate.core.Account;
import io.relaygate.core.UpstreamFailure;
import io.relaygate.core.config.SchedulingConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's feedback on account conditions: what an upstream failure does to an account's place in rotation
 * (cool-downs, with the durations of {@link SchedulingConfig}), and the verdict of a half-open account's trial request
 * ({@link Trials}). Learned here at once ({@link AccountView}), shared through the store.
 */
final class Rotation {

    private static final Logger logger = LoggerFactory.getLogger(Rotation.class);

    private final SharedState state;
    private final AccountView view;
    private final Trials trials;
    private final SchedulingConfig config;
    private final Clock clock;
    private final BiConsumer<String, Throwable> storeTrouble;

    Rotation(
            SharedState state,
            AccountView view,
            Trials trials,
            SchedulingConfig config,
            Clock clock,
            BiConsumer<String, Throwable> storeTrouble) {
        this.state = requireNonNull(state, "state");
        this.view = requireNonNull(view, "view");
        this.trials = requireNonNull(trials, "trials");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.storeTrouble = requireNonNull(storeTrouble, "storeTrouble");
    }

    /** {@code account} answered request {@code requestId}: when that was its trial, it is back in rotation. */
    void served(Account account, String requestId) {
        if (trials.end(account.id(), requestId) != null) {
            recovered(account, requestId);
        }
    }

    /**
     * {@code account} failed request {@code requestId}'s call with {@code failure}: its cool-down as
     * {@link #coolDown} says, or, when the call was the account's trial request, the trial's verdict.
     *
     * @param reason what the upstream said, already free of secrets
     * @param announcedReset when a 429's headers said the limit resets, or null
     */
    void failed(
            Account account,
            String requestId,
            UpstreamFailure failure,
            String reason,
            @Nullable Instant announcedReset) {
        Trials.Held trial = trials.end(account.id(), requestId);
        if (trial == null) {
            coolDown(account, failure, reason, announcedReset);
            return;
        }
        switch (failure) {
            case CLIENT_ERROR -> recovered(account, requestId); // it answered: the fault is over
            case GATEWAY_STOPPING, GATEWAY_FAULT ->
                // our own process failed: no verdict on the account, the next request may trial it
                trials.release(account.id(), requestId, CompletableFuture.completedFuture(null));
            default -> {
                // a rate limit or refused credentials bring their own condition; any other failure: out again, longer
                AccountCondition.State again =
                        switch (failure.coolDown()) {
                            case NONE -> trial.condition().state();
                            case OVERLOADED -> AccountCondition.State.OVERLOADED;
                            case UNREACHABLE -> AccountCondition.State.UNREACHABLE;
                            default -> null;
                        };
                CompletionStage<Void> verdict = again == null
                        ? coolDown(account, failure, reason, announcedReset)
                        : outOfRotation(
                                account,
                                again,
                                "trial request failed: " + reason,
                                clock.instant()
                                        .plus(Trials.nextCoolDown(trial.condition(), config.overloadCoolDown())));
                trials.release(account.id(), requestId, verdict);
            }
        }
    }

    /** {@code account}'s trial succeeded: back in rotation here at once, everywhere once the store has it. */
    private void recovered(Account account, String requestId) {
        logger.info("account {} passed its trial request: back in rotation", account.name());
        view.cleared(account.id());
        CompletionStage<Void> cleared = state.clearCondition(account.id()).exceptionally(e -> {
            storeTrouble.accept("putting an account back into rotation", e);
            return null;
        });
        trials.release(account.id(), requestId, cleared);
        cleared.thenRun(view::invalidate);
    }

    /** Takes {@code account} out of rotation (see {@link Scheduler#putOutOfRotation}); completes when written. */
    CompletionStage<Void> outOfRotation(
            Account account, AccountCondition.State what, String reason, @Nullable Instant until) {
        AccountCondition c = new AccountCondition(what, reason, clock.instant(), until);
        view.learned(account.id(), c);
        logger.warn(
                "account {} is out of rotation: {}{} ({})",
                account.name(),
                what.wireName(),
                until == null ? "" : " until " + until,
                reason);
        return state.setCondition(account.id(), c).exceptionally(e -> {
            storeTrouble.accept("saving an account condition", e);
            return null;
        });
    }

    /**
     * Applies {@code failure}'s {@linkplain UpstreamFailure#coolDown() cool-down} to {@code account}: the one place
     * where a failed call turns into a condition, with the durations from {@link SchedulingConfig}. Completes when the
     * condition is written.
     *
     * @param reason what the upstream said, already free of secrets
     * @param announcedReset when a 429's headers said the limit resets, or null
     */
    CompletionStage<Void> coolDown(
            Account account, UpstreamFailure failure, String reason, @Nullable Instant announcedReset) {
        Instant now = clock.instant();
        return switch (failure.coolDown()) {
            case RATE_LIMITED ->
                outOfRotation(
                        account,
                        AccountCondition.State.RATE_LIMITED,
                        reason,
                        announcedReset != null ? announcedReset : now.plus(config.rateLimitCoolDown()));
            case OVERLOADED ->
                outOfRotation(account, AccountCondition.State.OVERLOADED, reason, now.plus(config.overloadCoolDown()));
            case UNAUTHORIZED -> outOfRotation(account, AccountCondition.State.UNAUTHORIZED, reason, null);
            case UNREACHABLE ->
                outOfRotation(account, AccountCondition.State.UNREACHABLE, reason, now.plus(config.overloadCoolDown()));
            case NONE ->
                // a failure of this request alone: the account stays in rotation
                CompletableFuture.completedFuture(null);
        };
    }
}
