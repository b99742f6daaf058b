package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.state.CostSpend;
import io.relaygate.core.Account;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.WireFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's answer for one admitted request: which accounts may serve it, in which order (see
 * {@link Scheduler}), or why none can. A half-open account's trial request, when this request holds it, goes first.
 */
final class CandidateOrder {

    private static final Logger logger = LoggerFactory.getLogger(CandidateOrder.class);

    private final AccountView view;
    private final QuotaBook quotas;

    CandidateOrder(AccountView view, QuotaBook quotas) {
        this.view = requireNonNull(view, "view");
        this.quotas = requireNonNull(quotas, "quotas");
    }

    Scheduler.Decision decide(
            Scheduler.Demand demand,
            List<Account> found,
            Map<String, String> passedOver,
            AccountView.Snapshot snapshot,
            Map<String, AccountCondition> conditions,
            Trials.Pick pick,
            @Nullable String sticky,
            boolean leaseHeld,
            Instant now) {
        String model = demand.model();
        // why each account was passed over, for the request's record: built from what is at hand, no store call
        Map<String, String> skipped = new LinkedHashMap<>(passedOver);
        if (found.isEmpty()) {
            return new Scheduler.Unavailable(
                    model == null
                            ? "no upstream account serves " + demand.requestKind() + " requests"
                            : "no upstream account serves model " + model + " for " + demand.requestKind()
                                    + " requests",
                    null,
                    ErrorKind.UNAVAILABLE,
                    skipped);
        }
        KeyRules rules = demand.key().rules();
        List<Account> bound = new ArrayList<>(found.size());
        for (Account a : found) {
            if (Scheduler.boundTo(rules, a)) {
                bound.add(a);
            } else {
                skipped.put(
                        a.name(),
                        rules.boundAccount() != null
                                ? "the key is bound to another account"
                                : "not in the key's account group " + rules.boundGroup());
            }
        }
        if (bound.isEmpty()) {
            return new Scheduler.Unavailable(
                    "no upstream account serves " + (model == null ? "this request" : "model " + model)
                            + " for this key: it is bound to "
                            + (rules.boundAccount() != null
                                    ? "account " + rules.boundAccount()
                                    : "account group " + rules.boundGroup()),
                    null,
                    ErrorKind.UNAVAILABLE,
                    skipped);
        }
        List<Account> usable = new ArrayList<>(bound.size());
        Account trial = null;
        List<String> out = new ArrayList<>();
        Instant retryAt = null;
        boolean allRateLimited = true;
        boolean allBusy = true;
        for (Account a : bound) {
            AccountCondition c = conditions.get(a.id());
            if (c == null || a.id().equals(pick.recoveredAccountId())) {
                usable.add(a);
                continue;
            }
            if (a.id().equals(pick.trialAccountId())) {
                trial = a;
                continue;
            }
            allRateLimited &= c.state() == AccountCondition.State.RATE_LIMITED;
            allBusy &=
                    c.state() == AccountCondition.State.RATE_LIMITED || c.state() == AccountCondition.State.OVERLOADED;
            if (c.activeAt(now)) {
                out.add(a.name() + " (" + c.state().wireName() + (c.until() == null ? "" : " until " + c.until())
                        + ")");
                skipped.put(
                        a.name(),
                        c.state().wireName() + (c.until() == null ? " until resumed" : " until " + c.until()) + ": "
                                + c.reason());
                if (c.until() != null && (retryAt == null || c.until().isBefore(retryAt))) {
                    retryAt = c.until();
                }
            } else {
                out.add(a.name() + " (" + c.state().wireName() + ", its trial request is under way)");
                skipped.put(a.name(), c.state().wireName() + ", its trial request is under way");
            }
        }
        if (usable.isEmpty() && trial == null) {
            return new Scheduler.Unavailable(
                    "every upstream account that serves " + (model == null ? "this request" : "model " + model)
                            + " is out of rotation: " + String.join(", ", out),
                    retryAt,
                    allRateLimited ? ErrorKind.RATE_LIMIT : allBusy ? ErrorKind.OVERLOADED : ErrorKind.UNAVAILABLE,
                    skipped);
        }
        List<WireFormat> formats = demand.formats();
        if (usable.size() > 1) {
            Map<String, Integer> steps = new HashMap<>();
            for (Account a : usable) {
                steps.put(
                        a.id(),
                        QuotaBook.steps(quotas.headroom(snapshot.quotas(), a.id(), now), Scheduler.HEADROOM_STEP));
            }
            Comparator<Account> ranking = Comparator.comparingInt(Account::priority)
                    .thenComparing(a -> steps.get(a.id()), Comparator.reverseOrder())
                    .thenComparingInt(a -> formats.indexOf(a.kind().format()))
                    .thenComparing(a -> view.lastUse(snapshot, a.id()))
                    .thenComparing(Account::name);
            usable.sort(ranking);
        }
        if (sticky != null) {
            for (int i = 0; i < usable.size(); i++) {
                if (usable.get(i).id().equals(sticky)) {
                    double left = quotas.headroom(snapshot.quotas(), sticky, now);
                    if (left >= Scheduler.STICKY_HEADROOM_FLOOR) {
                        usable.add(0, usable.remove(i));
                    } else {
                        logger.debug(
                                "[{}] session leaves account {}: {}% quota headroom",
                                demand.requestId(), usable.get(i).name(), Math.round(left * 100));
                    }
                    break;
                }
            }
        }
        if (trial != null) {
            // the half-open account's one trial goes first; its failure fails over to the others as usual
            logger.info("[{}] account {} gets its trial request", demand.requestId(), trial.name());
            usable.add(0, trial);
        }
        return new Scheduler.Admitted(
                List.copyOf(usable), leaseHeld, sticky, skipped.isEmpty() ? Map.of() : skipped, CostSpend.NONE);
    }
}
