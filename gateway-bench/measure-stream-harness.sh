#!/usr/bin/env bash
# The stream harness's own cost (issue 21, item 3): the mock upstream and the load driver alone (the direct arm, no
# gateway), N streams at one event per T ms, and the CPU each process spends per event delivered, from /proc
# (utime + stime over the measured window only: start-up, JIT warm-up and the ramp are outside it).
#
#   bash gateway-bench/measure-stream-harness.sh [--streams N] [--interval-ms T] [--warmup S] [--window S]
#                                                [--rounds R] [--events E] [--profile DIR] [--cpus LIST]
#                                                [--h2c CONNS] JAR...
#
# E events per stream (default 200, as the streams phase of run-bench.sh: a new request every E × T ms, whose cost
# counts too). At 2,000 × 20 ms the 200-event streams restart in waves every 4 s, and nearly all late events fall in
# those waves (late_timeline); --events 1000 (20 s streams) is the run the direct arm's < 1 % late is read from
# (docs/benchmarks.md, "The harness's late events: stream turnover").
# Each round runs every JAR in turn (interleaved A/B: e.g. an older build and the current one), each with a fresh mock
# and driver from that jar, both pinned to --cpus (default 1: the one core run-bench.sh gives them). Per run it prints
# one line: events in the window (the mock's count of events written, GET /_mock/usage; for an older build without
# it, its bytes written over the bytes per event), the mock's and the driver's CPU µs per event (whole process, and
# its event loops alone: the rest is JIT and GC), the events per second one core would carry at that cost, the system
# time's share, and the driver's late events (gap > 2 T) and lost events. The driver's own window starts when the
# script's does and ends 45 s later (60 s with --profile), so its late and lost counts cover the measured window and a little more. --profile DIR records each warmed process with JFR over the window (execution samples every
# 1 ms) into DIR/<jar>-<round>-{mock,driver}.jfr. --h2c CONNS runs the driver over HTTP/2 with prior knowledge, the
# streams multiplexed over CONNS connections (load --h2c --connections CONNS; the mock with --http2 and --max-streams
# N), instead of HTTP/1.1 with one connection per stream. Raw JSON lines go to $RESULTS (default stdout's last lines).
# JVMs: the mock runs with MOCK_JVM (default -Xms256m -Xmx256m, more past 4,000 streams, -Xmn32m
# -XX:MaxTenuringThreshold=0 -XX:+AlwaysPreTouch: small young collections that promote at once, see below), the driver
# with DRIVER_JVM (default -Xms256m -Xmx1g -XX:+AlwaysPreTouch); setting either replaces its default (MOCK_JVM=
# '-Xms512m -Xmx1g' and DRIVER_JVM='-Xms256m -Xmx1g' are the settings before 2026-12-07). MOCK_JAVA_OPTS and
# DRIVER_JAVA_OPTS add options after them. Each JVM logs its collections (-Xlog:gc) into the work directory; per run
# the line gives the pauses of each within the driver's span ({mock,driver}_pauses_driver_span: count, full
# collections, ms in all, their CPU, pauses over 20 ms, longest; a pause longer than T ms makes the next event of the
# streams due in it late) and core_user_share_driver_span, the pinned core's time other sessions' un-niced processes
# took (this script runs at nice 19 under /work/tools/run): stalls that late events then show are not the harness's.
# hiccups_same_core / hiccups_other_core: a probe sleeping 2 ms in a loop over the driver's span, on the harness's core
# and on the other (idle) one: wake-ups later than 5, 10, 20, 40 ms. A stall over T ms of the core makes the next event
# of every stream due in it late (2,000 late events at 2,000 streams), whatever the harness's own cost.
set -u
streams=2000
interval=20
warmup=30
window=60
rounds=1
events=200
profile=""
cpus=1
h2c=0
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --streams) streams="$2"; shift 2 ;;
    --interval-ms) interval="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --cpus) cpus="$2"; shift 2 ;;
    --h2c) h2c="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) jars+=("$1"); shift ;;
  esac
done
[ ${#jars[@]} -gt 0 ] || { echo "no jar given (see --help)" >&2; exit 2; }
[ -n "$profile" ] && mkdir -p "$profile"
work="$(mktemp -d /tmp/relaygate-harness.XXXXXX)"
results="${RESULTS:-$work/results.jsonl}"
hz=$(getconf CLK_TCK)
ulimit -n "$(ulimit -Hn)" 2>/dev/null
# The driver's window runs past the script's: the JFR start (jcmd) takes seconds on a busy machine.
margin=45
[ -n "$profile" ] && margin=60
pin=""
command -v taskset >/dev/null && pin="taskset -c $cpus"
jfc="$work/fine.jfc"
sed -e '/jdk.ExecutionSample/,/<\/event>/s/<setting name="period"[^>]*>[^<]*</<setting name="period">1 ms</' \
    "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/profile.jfc" >"$jfc"

# The JVMs' heap and GC settings (MOCK_JVM / DRIVER_JVM replace them; MOCK_JAVA_OPTS / DRIVER_JAVA_OPTS add options
# after them). On the one pinned core both JVMs use the serial collector. The mock's objects of a stream live as long
# as the stream (E × T ms, 4 s by default): a default young generation (a third of the heap) copies them between
# survivor spaces at every collection, 20-120 ms a pause (docs/benchmarks.md, "the harness's late events"). A small
# young generation that promotes what survives one collection (-XX:MaxTenuringThreshold=0) copies each object once,
# in pauses of a few ms, and a 256 MB heap makes the old generation fill and be collected (a full collection,
# ~120 ms, live set ~40 MB) about once a minute, inside every run: no collection is put off past the window. Without
# -XX:+AlwaysPreTouch every promotion into old-generation pages not touched yet takes page faults inside the pause
# (3-4 MB promoted in each collection of a burst of new streams: 20-40 ms instead of 7).
# The heap grows past 256 MB with --streams (64 KB a stream; 2,000 streams hold ~40 MB live).
heap=$(( streams * 64 / 1024 )); [ "$heap" -lt 256 ] && heap=256
mock_jvm="${MOCK_JVM:--Xms${heap}m -Xmx${heap}m -Xmn32m -XX:MaxTenuringThreshold=0 -XX:+AlwaysPreTouch}"
driver_jvm="${DRIVER_JVM:--Xms256m -Xmx1g -XX:+AlwaysPreTouch}"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
loop_ticks() { # pid name-prefix -> utime + stime of its threads whose name starts with the prefix
  local t sum=0
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in "$2"*) sum=$(( sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0) )) ;; esac
  done
  echo "$sum"
}
# Nanoseconds the threads of $1 waited runnable for a CPU so far (/proc/<pid>/task/*/schedstat, second field).
rq_wait() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $2} END {print s + 0}'; }
# Ticks of the pinned core (a single --cpus only): user at nice 0, nice, and all, from /proc/stat. This script's
# processes run niced under /work/tools/run, so another session's un-niced work on the core shows as user time.
core_ticks() { awk -v c="cpu$cpus" '$1 == c {t = 0; for (i = 2; i <= NF; i++) t += $i; print $2, $3, t; f = 1} END {if (!f) print 0, 0, 0}' /proc/stat; }
wchar() { awk '/^wchar/{print $2}' "/proc/$1/io" 2>/dev/null || echo 0; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Bytes the JVM's live threads allocated so far (jcmd Thread.print -e: "allocated=" per thread, in B, K, M or G),
# whole process and the threads whose name starts with $2. Threads that ended in between are not counted.
allocated() {
  jcmd "$1" Thread.print -e 2>/dev/null | python3 -c '
import re, sys
unit = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
total = loops = 0
for line in sys.stdin:
    m = re.search(r"allocated=(\d+)([BKMG])", line)
    if m and line.startswith("\""):
        n = int(m.group(1)) * unit[m.group(2)]
        total += n
        loops += n if line[1:].startswith(sys.argv[1]) else 0
print(total, loops)' "$2"
}
# The core's own stalls (a hiccup probe): a process that sleeps 2 ms in a loop for $2 s on CPU $1 and reports how
# often it woke more than 5, 10, 20 and 40 ms late, the longest, and the ms spent in stalls over 20 ms, as JSON. On the
# harness's core it is one more task sharing the core (about 1 % of it): a stall it sees, the mock and the driver saw
# too; on the other core, idle, it shows what the machine itself takes (a virtual CPU the host runs something else on).
hiccups() {
  taskset -c "$1" python3 - "$2" <<'PY'
import json, sys, time
secs, limits = float(sys.argv[1]), (5, 10, 20, 40)
over = dict.fromkeys(limits, 0)
longest = stalled = 0.0
n = 0
prev = time.monotonic()
end = prev + secs
while prev < end:
    time.sleep(0.002)
    now = time.monotonic()
    late = (now - prev) * 1000 - 2
    prev = now
    n += 1
    for t in limits:
        over[t] += late > t
    stalled += late if late > 20 else 0
    longest = max(longest, late)
print(json.dumps({"wakeups": n, "late_over_ms": {str(k): v for k, v in over.items()}, "longest_ms": round(longest, 1),
                  "ms_in_stalls_over_20": round(stalled)}))
PY
}
# Young and full collections so far and the seconds they paused (jstat -gc: YGC YGCT FGC FGCT).
# Starts the allocation and GC probes of mock $1 and driver $2 in the background (files $3.{ma,da,mg,dg}): jcmd and
# jstat attach slowly on a busy machine, and the window's CPU ticks and event counts must not wait for them.
probing=()
probes() {
  allocated "$1" mock-upstream >"$3.ma" & probing+=($!)
  allocated "$2" load- >"$3.da" & probing+=($!)
  gc "$1" >"$3.mg" & probing+=($!)
  gc "$2" >"$3.dg" & probing+=($!)
}
gc() { jstat -gc "$1" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["YGC"] + $c["FGC"], $c["YGCT"] + $c["FGCT"] }'; }
# The events the mock wrote so far (GET /_mock/usage "events"), or -1 from a build that does not count them.
declared() {
  local n
  for _ in $(seq 10); do
    n=$(curl -s -m 5 "http://127.0.0.1:$1/_mock/usage" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("events", -1))' 2>/dev/null)
    [ -n "$n" ] && { echo "$n"; return; }
    sleep 1
  done
  echo "mock on port $1: GET /_mock/usage does not answer" >&2; echo 0
}
# Bytes one E-event stream puts on the wire (head included) and its events (E deltas + 6 others), for a build that
# does not count events: its events are then its bytes written (/proc/<pid>/io wchar, which counts the write(2) and
# writev(2) of NIO, not the send(2) of the native transport) divided by the bytes per event.
stream_bytes() {
  curl -s --raw -i -m 30 -X POST "http://127.0.0.1:$1/v1/messages" -H 'x-api-key: sk-bench' \
      -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' -H "x-mock-events: $events" \
      -H 'x-mock-event-interval-ms: 0' -H 'x-mock-ttft-ms: 0' \
      -d '{"model":"claude-sonnet-4-5","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}' | wc -c
}

one() { # jar label round
  local jar="$1" label="$2" round="$3" port mock driver out
  probing=()
  port=$(free_port)
  local mock_args=() driver_args=()
  [ "$h2c" -gt 0 ] && { mock_args=(--http2 --max-streams "$streams"); driver_args=(--h2c --connections "$h2c"); }
  local t_mock t_driver
  t_mock=$(date +%s.%N)
  # shellcheck disable=SC2086
  $pin java $mock_jvm ${MOCK_JAVA_OPTS:-} -Xlog:gc,gc+cpu:file="$work/gc-mock-$label-$round.log":uptime -jar "$jar" mock --port "$port" --no-record "${mock_args[@]}" >"$work/mock-$label-$round.log" 2>&1 &
  mock=$!; pids+=("$mock")
  for _ in $(seq 100); do curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/v1/models" && break; sleep 0.2; done
  local bpe=0
  [ "$(declared "$port")" = -1 ] && bpe=$(python3 -c "print($(stream_bytes "$port") / ($events + 6))")
  t_driver=$(date +%s.%N)
  # shellcheck disable=SC2086
  $pin java $driver_jvm ${DRIVER_JAVA_OPTS:-} -Xlog:gc,gc+cpu:file="$work/gc-driver-$label-$round.log":uptime -jar "$jar" load "http://127.0.0.1:$port/v1/messages" --key sk-bench --json \
      "${driver_args[@]}" -c "$streams" --stream --events "$events" --interval-ms "$interval" --ramp 2s \
      --warmup "${warmup}s" --duration "$((window + margin))s" --drain 30s >"$work/load-$label-$round.json" 2>"$work/load-$label-$round.err" &
  driver=$!; pids+=("$driver")
  for _ in $(seq 600); do grep -q starting "$work/load-$label-$round.err" 2>/dev/null && break; sleep 0.1; done
  sleep "$warmup"
  local m0 d0 ml0 dl0 e0 m1 d1 ml1 dl1 e1 w0 w1 ms0 ds0 ms1 ds1 mw0 mw1
  [ -n "$profile" ] && {
    jcmd "$mock" JFR.start name=h settings="$jfc" filename="$profile/$label-$round-mock.jfr" >/dev/null 2>&1
    jcmd "$driver" JFR.start name=h settings="$jfc" filename="$profile/$label-$round-driver.jfr" >/dev/null 2>&1
  }
  local q0 q1 c0 c1
  q0="$(rq_wait "$mock") $(rq_wait "$driver")"; c0=$(core_ticks)
  w0=$(date +%s.%N); m0=$(ticks "$mock"); d0=$(ticks "$driver"); e0=$(declared "$port")
  ml0=$(loop_ticks "$mock" mock-upstream); dl0=$(loop_ticks "$driver" load-)
  ms0=$(sys_ticks "$mock"); ds0=$(sys_ticks "$driver"); mw0=$(wchar "$mock")
  local ma0 da0 mg0 dg0 ma1 da1 mg1 dg1
  probes "$mock" "$driver" "$work/probe0"
  local other_cpu=""
  [ "$cpus" = 1 ] && other_cpu=0
  [ "$cpus" = 0 ] && other_cpu=1
  hiccups "$cpus" "$((window + margin))" >"$work/hiccups-same.json" 2>/dev/null &
  local hsame=$!
  local hother=""
  [ -n "$other_cpu" ] && { hiccups "$other_cpu" "$((window + margin))" >"$work/hiccups-other.json" 2>/dev/null & hother=$!; }
  sleep "$window"
  w1=$(date +%s.%N); m1=$(ticks "$mock"); d1=$(ticks "$driver"); e1=$(declared "$port")
  q1="$(rq_wait "$mock") $(rq_wait "$driver")"; c1=$(core_ticks)
  ml1=$(loop_ticks "$mock" mock-upstream); dl1=$(loop_ticks "$driver" load-)
  ms1=$(sys_ticks "$mock"); ds1=$(sys_ticks "$driver"); mw1=$(wchar "$mock")
  probes "$mock" "$driver" "$work/probe1"
  wait "${probing[@]}"
  ma0=$(cat "$work/probe0.ma"); da0=$(cat "$work/probe0.da"); mg0=$(cat "$work/probe0.mg"); dg0=$(cat "$work/probe0.dg")
  ma1=$(cat "$work/probe1.ma"); da1=$(cat "$work/probe1.da"); mg1=$(cat "$work/probe1.mg"); dg1=$(cat "$work/probe1.dg")
  [ -n "$profile" ] && {
    jcmd "$mock" JFR.stop name=h >/dev/null 2>&1
    jcmd "$driver" JFR.stop name=h >/dev/null 2>&1
  }
  wait "$driver"
  wait "$hsame" ${hother:+"$hother"} 2>/dev/null
  # The core's share taken by others, and the mock's wait for it, over the driver's whole span (its late events').
  c1=$(core_ticks); q1="$(rq_wait "$mock") ${q1#* }"
  kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null
  out=$(cat "$work/load-$label-$round.json")
  python3 - "$label" "$round" "$streams" "$interval" "$hz" "$w0" "$w1" "$m0" "$m1" "$d0" "$d1" "$e0" "$e1" \
      "$ml0" "$ml1" "$dl0" "$dl1" "$ms0" "$ms1" "$ds0" "$ds1" "$mw0" "$mw1" "$bpe" "$(cut -d' ' -f1 /proc/loadavg)" "$out" \
      "$ma0" "$ma1" "$da0" "$da1" "$mg0" "$mg1" "$dg0" "$dg1" \
      "$work/gc-mock-$label-$round.log" "$t_mock" "$work/gc-driver-$label-$round.log" "$t_driver" "$margin" \
      "$q0" "$q1" "$c0" "$c1" "$(cat "$work/hiccups-same.json" 2>/dev/null)" "$(cat "$work/hiccups-other.json" 2>/dev/null)" \
      <<'EOF' | tee -a "$results" >&2
import json, sys
a = sys.argv
label, rnd, streams, interval, hz = a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5])
w0, w1, m0, m1, d0, d1, e0, e1, ml0, ml1, dl0, dl1, ms0, ms1, ds0, ds1, mw0, mw1, bpe = map(float, a[6:25])
load, rep = a[25], a[26]
pair = lambda s: [float(x) for x in s.split()] if len(s.split()) == 2 else [0.0, 0.0]
ma0, ma1, da0, da1, mg0, mg1, dg0, dg1 = map(pair, a[27:35])
import re
def pauses(log, t0, until):
    """The JVM's GC pauses from its log (-Xlog:gc with uptime) within the driver's measured span [w0, until]."""
    out, cpu = [], 0.0
    try:
        for line in open(log):
            m = re.match(r"\[([\d.]+)s\].*Pause (\w+).* ([\d.]+)ms$", line.strip())
            if m and w0 <= float(t0) + float(m.group(1)) <= until:
                out.append((m.group(2), float(m.group(3))))
            c = re.match(r"\[([\d.]+)s\].*User=([\d.]+)s Sys=([\d.]+)s", line.strip())
            if c and w0 <= float(t0) + float(c.group(1)) <= until:
                cpu += float(c.group(2)) + float(c.group(3))
    except OSError:
        pass
    return {"n": len(out), "full": sum(1 for k, _ in out if k == "Full"), "ms": round(sum(p for _, p in out)),
            "cpu_ms": round(cpu * 1000), "over_20ms": sum(1 for _, p in out if p > 20),
            "max_ms": round(max([p for _, p in out] or [0]), 1)}
def late_timeline(r):
    """Where the driver's late events fall: 100 ms buckets with any, stall buckets (a late event for at least half
    the streams: the harness stopped for everyone) and the late events in them, and by the event's index in its stream."""
    lt = r.get("late_by_100ms") or []
    stalls = [x for x in lt if x >= streams / 2]
    return {"buckets_with_late": sum(1 for x in lt if x), "buckets": len(lt), "stall_buckets": len(stalls),
            "late_in_stall_buckets": sum(stalls), "by_index": r.get("late_by_index")}
span_end = w0 + (w1 - w0) + float(a[39])
mock_p, driver_p = pauses(a[35], a[36], span_end), pauses(a[37], a[38], span_end)
q0, q1 = [float(x) for x in a[40].split()], [float(x) for x in a[41].split()]
c0, c1 = [float(x) for x in a[42].split()], [float(x) for x in a[43].split()]
core_all = c1[2] - c0[2]
try:
    r = json.loads(rep)
except ValueError:
    r = {}
ev = e1 - e0 if e0 >= 0 else ((mw1 - mw0) / bpe if bpe > 0 else 0)
mus = lambda t: round((t / hz) * 1e6 / ev, 2) if ev > 0 else None
mock_us, drv_us = mus(m1 - m0), mus(d1 - d0)
both = (mock_us or 0) + (drv_us or 0)
print(json.dumps({
    "jar": label, "round": rnd, "streams": streams, "interval_ms": interval, "window_s": round(w1 - w0, 1),
    "events": int(ev), "events_per_s": round(ev / (w1 - w0)), "mock_us_per_event": mock_us,
    "driver_us_per_event": drv_us, "events_per_core_s": round(1e6 / both) if both else None,
    "mock_loop_us_per_event": mus(ml1 - ml0), "driver_loop_us_per_event": mus(dl1 - dl0),
    "mock_loop_share": round((ml1 - ml0) / (m1 - m0), 2) if m1 > m0 else None,
    "driver_loop_share": round((dl1 - dl0) / (d1 - d0), 2) if d1 > d0 else None,
    "mock_user_us_per_event": mus((m1 - m0) - (ms1 - ms0)), "mock_sys_us_per_event": mus(ms1 - ms0),
    "driver_user_us_per_event": mus((d1 - d0) - (ds1 - ds0)), "driver_sys_us_per_event": mus(ds1 - ds0),
    "mock_bytes_allocated_per_event": round((ma1[0] - ma0[0]) / ev) if ev > 0 else None,
    "mock_loop_bytes_allocated_per_event": round((ma1[1] - ma0[1]) / ev) if ev > 0 else None,
    "driver_bytes_allocated_per_event": round((da1[0] - da0[0]) / ev) if ev > 0 else None,
    "driver_loop_bytes_allocated_per_event": round((da1[1] - da0[1]) / ev) if ev > 0 else None,
    "mock_gcs": int(mg1[0] - mg0[0]), "mock_gc_pause_ms": round((mg1[1] - mg0[1]) * 1000),
    "driver_gcs": int(dg1[0] - dg0[0]), "driver_gc_pause_ms": round((dg1[1] - dg0[1]) * 1000),
    "runqueue_wait_ms": {"mock_driver_span": round((q1[0] - q0[0]) / 1e6), "driver_window": round((q1[1] - q0[1]) / 1e6)},
    "core_user_share_driver_span": round((c1[0] - c0[0]) / core_all, 2) if core_all > 0 else None,
    "core_nice_share_driver_span": round((c1[1] - c0[1]) / core_all, 2) if core_all > 0 else None,
    "mock_pauses_driver_span": mock_p, "driver_pauses_driver_span": driver_p,
    "hiccups_same_core": json.loads(a[44]) if a[44] else None, "hiccups_other_core": json.loads(a[45]) if a[45] else None,
    "mock_sys_share": round((ms1 - ms0) / (m1 - m0), 2) if m1 > m0 else None,
    "driver_sys_share": round((ds1 - ds0) / (d1 - d0), 2) if d1 > d0 else None,
    "driver_events": r.get("events"), "late_events": r.get("late_events"), "lost_events": r.get("lost_events"),
    "late_timeline": late_timeline(r),
    "events_from": "mock count" if e0 >= 0 else f"bytes written / {bpe:.1f}", "errors": r.get("errors"), "load_average": float(load)}))
EOF
}

for r in $(seq 1 "$rounds"); do
  for j in "${jars[@]}"; do
    one "$j" "$(basename "$j" .jar)" "$r"
  done
done
echo "results: $results" >&2
