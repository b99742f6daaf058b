package io.relaygate.accounts.state;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@link RedisSharedState#admit}: one request's admit.lua, its keys and arguments from {@link RedisKeyNames}, sent
 * alone, in a group commit with what waits on its loop ({@link RedisGroupCommit}), or parked there when the loop admits
 * the key itself ({@link RedisLoopStandings}); and admit.lua's answer read back into an {@link Admission}.
 */
final class RedisAdmissions {

    private final RedisScript admit;
    private final RedisKeyNames names;
    private final @Nullable RedisGroupCommit groupCommit;

    /** The last lease and sticky-session lifetimes' text: the same per gateway config, encoded once. */
    private volatile RedisKeyNames.Number leaseTtl = RedisKeyNames.Number.NONE;

    private volatile RedisKeyNames.Number stickyTtl = RedisKeyNames.Number.NONE;

    /** @param groupCommit a Redis of one server's group commit, or null (a Cluster): admit.lua then goes alone */
    RedisAdmissions(RedisScript admit, RedisKeyNames names, @Nullable RedisGroupCommit groupCommit) {
        this.admit = requireNonNull(admit, "admit");
        this.names = requireNonNull(names, "names");
        this.groupCommit = groupCommit;
    }

    CompletionStage<Admission> admit(AdmissionRequest r) {
        var rules = r.rules();
        Instant now = r.now();
        long nowMs = now.toEpochMilli();
        RedisKeyNames.Names names = this.names.of(r.keyId());
        long reqEnd = -1;
        long reqStart = 0;
        if (rules.requestWindow() != null) {
            reqStart = AdmissionRequest.windowStart(now, rules.requestWindow());
            reqEnd = reqStart + rules.requestWindow().toMillis();
        }
        long tokEnd = -1;
        long tokStart = 0;
        if (rules.tokenWindow() != null) {
            tokStart = AdmissionRequest.windowStart(now, rules.tokenWindow());
            tokEnd = tokStart + rules.tokenWindow().toMillis();
        }
        String[] keys = {
            names.lease,
            names.requestWindow(reqStart),
            names.tokenWindow(tokStart),
            names.usage(Period.DAY, now),
            names.usage(Period.WEEK, now),
            names.usage(Period.TOTAL, now),
            r.sessionHash() == null ? names.noSession : names.tag + "s:" + r.sessionHash()
        };
        RedisKeyNames.Number lease = leaseTtl = RedisKeyNames.millis(leaseTtl, r.leaseTtl());
        RedisKeyNames.Number sticky = stickyTtl = RedisKeyNames.millis(stickyTtl, r.stickyTtl());
        String[] args = new String[15];
        args[0] = Long.toString(nowMs);
        args[1] = r.leaseId();
        args[2] = lease.text();
        RedisKeyNames.Limits limits = names.limits(rules, args);
        args[5] = reqEnd < 0 ? "-1" : Long.toString(reqEnd);
        args[7] = tokEnd < 0 ? "-1" : Long.toString(tokEnd);
        this.names.ends(now, args);
        args[13] = sticky.text();
        args[14] = r.sessionHash() == null ? "0" : "1";
        RedisGroupCommit rider = groupCommit;
        if (rider == null) {
            return admit.<List<Object>>run(ScriptOutputType.MULTI, keys, args).thenApply(RedisAdmissions::admission);
        }
        RedisLoopStandings loop = rider.standings();
        if (loop == null) {
            // on one server the spends parked on this loop and the batches parked go in this call, before the admission
            return rider.admit(keys, args).thenApply(RedisAdmissions::admission);
        }
        RedisLoopStandings.Ticket here =
                loop.admitHere(r, limits, reqStart, tokStart, args[11], rules.maxConcurrency() != null);
        if (here != null) {
            // far from every limit: in now; Redis takes the lease and counts it with the loop's next call
            rider.admitParked(loop, keys, args).whenComplete((reply, e) -> answered(loop, here, reply, true));
            return CompletableFuture.completedFuture(Admission.admitted(r.knownSticky(), loop.spend(here)));
        }
        RedisLoopStandings.Ticket waited = loop.waited(r.keyId(), nowMs, reqStart, tokStart, args[11]);
        return rider.admit(keys, args)
                .whenComplete((reply, e) -> answered(loop, waited, reply, false))
                .thenApply(RedisAdmissions::admission);
    }

    /** Gives admit.lua's answer to the loop's view, on the loop (the loop's own connection answers there already). */
    private static void answered(
            RedisLoopStandings loop, RedisLoopStandings.Ticket t, @Nullable List<Object> reply, boolean here) {
        if (loop.loop().inEventLoop()) {
            loop.answer(t, reply, here);
        } else {
            loop.loop().execute(() -> loop.answer(t, reply, here));
        }
    }

    private static Admission admission(List<Object> reply) {
        long admitted = ((Number) reply.get(0)).longValue();
        String sticky = string(reply.get(4));
        if (admitted == 1) {
            CostSpend spend = reply.size() < 8
                    ? CostSpend.NONE
                    : new CostSpend(
                            RedisLoopStandings.number(reply.get(5)),
                            RedisLoopStandings.number(reply.get(6)),
                            RedisLoopStandings.number(reply.get(7)));
            return Admission.admitted(sticky.isEmpty() ? null : sticky, spend);
        }
        long reset = RedisLoopStandings.number(reply.get(2));
        return Admission.refused(
                Admission.Limit.fromWireName(string(reply.get(1))),
                reset < 0 ? null : Instant.ofEpochMilli(reset),
                RedisLoopStandings.number(reply.get(3)));
    }

    private static String string(Object o) {
        return o == null ? "" : o.toString();
    }
}
