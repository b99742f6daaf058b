#!/usr/bin/env bash
# The soak of issue 18 (docs/benchmarks.md, "Soak"), not run in CI:
#
#   bash gateway-bench/run-soak.sh [--minutes N] [--rate R] [--fault-percent P] [--warmup-minutes W]
#                                  [--sessions N] [--store embedded|redis] [--out DIR] [--png FILE]
#
# Starts the mock upstream (relaygate-bench.jar mock --no-record, streams paced at 5 deltas 20 ms apart) and one
# gateway process (java -jar relaygate.jar serve, -Xmx256m) on the embedded store, or on Redis ($REDIS_URL, default
# 127.0.0.1:6379) under a key prefix of its own that is deleted at the end, with one anthropic-api account at the mock
# and one key. relaygate-bench soak then sends mixed traffic at a fixed rate for --minutes (default 30): Anthropic
# Messages, OpenAI Chat and OpenAI Responses in turn, streams and JSON, and --fault-percent (default 1) of faults the
# mock plays (a 500, a reset mid-stream, the upstream's error event, a close-delimited stream cut short), each request a
# turn of one of --sessions conversations (default 100; 0: every request a session of its own, which fills the sticky
# session table for scheduling.stickyTtl, 1 h, before it levels off).
#
# Every 10 s the script samples the gateway process: RSS (/proc/PID/status), heap after a GC (jcmd GC.run, then
# GC.heap_info), Netty's direct memory (relaygate_netty_direct_memory_used_bytes and the allocator's direct bytes on
# /metrics), open descriptors (/proc/PID/fd), threads, the gateway's token counters (relaygate_tokens_total) and what the
# mock declared (GET /_mock/usage), into DIR/soak.csv. At the end it compares the stored usage (GET /admin/usage,
# period total) with what the mock declared, fits a least-squares slope to each memory series after the warm-up
# (default: the first third of the run, at least 2 minutes) and draws DIR/soak.png with gnuplot.
# Pass: every answer as expected (driver), stored usage = mock's usage, and no series growing by more than 5 % of its
# mean (or 2 MiB / 5 descriptors, whichever is larger) over the post-warm-up window under load by its fitted slope.
# Builds the jars first if they are missing (mvn -o -q package -DskipTests).
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
gw_jar="$root/gateway-server/target/relaygate.jar"
bench_jar="$root/gateway-bench/target/relaygate-bench.jar"
# The run uses copies of the jars, so a build during a long run cannot rewrite a jar under a running JVM.
minutes=30
rate=30
faults=1
sessions=100
warmup_minutes=""
store=embedded
out=""
png=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --fault-percent) faults="$2"; shift 2 ;;
    --sessions) sessions="$2"; shift 2 ;;
    --warmup-minutes) warmup_minutes="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --png) png="$2"; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -z "$warmup_minutes" ] && warmup_minutes=$(python3 -c "print(max(2.0, $minutes / 3))")
if [ ! -f "$gw_jar" ] || [ ! -f "$bench_jar" ]; then
  echo "building (mvn -o -q package -DskipTests)..." >&2
  (cd "$root" && mvn -B -o -q -pl gateway-server,gateway-bench -am package -DskipTests) || { echo "build failed" >&2; exit 1; }
fi
out="${out:-$(mktemp -d /tmp/relaygate-soak.XXXXXX)}"
mkdir -p "$out/jars"
cp "$gw_jar" "$out/jars/relaygate.jar" && cp "$bench_jar" "$out/jars/relaygate-bench.jar" || exit 1
gw_jar="$out/jars/relaygate.jar"
bench_jar="$out/jars/relaygate-bench.jar"
png="${png:-$out/soak.png}"
pids=()
prefix="soak-$$-$RANDOM:"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$store" = redis ]; then
    redis-cli -u "$redis_url" --scan --pattern "${prefix}*" | xargs -r -n 500 redis-cli -u "$redis_url" del >/dev/null
  fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 150); do curl -s -o /dev/null -m 1 "$1" && return 0; sleep 0.2; done; echo "not answering: $1" >&2; return 1; }

mock_port=$(free_port)
java -Xmx256m -jar "$bench_jar" mock --port "$mock_port" --no-record --events 5 --event-interval-ms 20 \
    >"$out/mock.log" 2>&1 &
pids+=($!)
mock_url="http://127.0.0.1:$mock_port"

admin_token="soak-admin-$RANDOM$RANDOM$RANDOM$RANDOM"
gw_port=$(free_port)
case "$store" in
  embedded) storeenv="RELAYGATE_STORE=local" ;;
  redis) storeenv="RELAYGATE_STORE=redis REDIS_URL=$redis_url" ;;
  *) echo "--store: $store (expected: embedded or redis)" >&2; exit 2 ;;
esac
run="env RELAYGATE_DATA_DIR=$out/data RELAYGATE_LOG_DIR=$out/logs RELAYGATE_REDIS_PREFIX=$prefix $storeenv"
$run java -jar "$gw_jar" accounts add --kind anthropic-api --name soak-mock --base-url "$mock_url" \
    --api-key sk-soak >/dev/null || exit 1
key=$($run java -jar "$gw_jar" keys create --name soak --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])') || exit 1
$run RELAYGATE_PORT=$gw_port RELAYGATE_ADMIN_TOKEN=$admin_token java -Xms256m -Xmx256m -jar "$gw_jar" serve \
    >"$out/serve.log" 2>&1 &
gw_pid=$!
pids+=($gw_pid)
gw_url="http://127.0.0.1:$gw_port"
wait_http "$mock_url/v1/models" && wait_http "$gw_url/healthz" || exit 1

metric() { # name [label filter] -> summed value from /metrics
  curl -s -m 5 "$gw_url/metrics" | awk -v n="$1" -v f="${2:-}" \
    '$1 ~ "^"n"({|$)" && (f == "" || index($1, f) > 0) {s += $NF} END {printf "%.0f", s}'
}
heap_after_gc() { # pid -> heap used in KiB after a full GC
  jcmd "$1" GC.run >/dev/null 2>&1
  jcmd "$1" GC.heap_info 2>/dev/null \
    | grep -E '^ *(def new generation|tenured generation|garbage-first heap|PSYoungGen|ParOldGen|Shenandoah|ZHeap)' \
    | grep -oE 'used [0-9]+K' | grep -oE '[0-9]+' | paste -sd+ | bc
}
mock_usage() { curl -s -m 5 "$mock_url/_mock/usage"; }
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2" 2>/dev/null || echo 0; }

csv="$out/soak.csv"
echo "t_s,rss_kb,heap_after_gc_kb,direct_bytes,allocator_direct_bytes,fds,threads,gw_input_tokens,gw_output_tokens,mock_input_tokens,mock_output_tokens,mock_answers,driver_done" >"$csv"
sample() { # t
  local rss fds thr heap direct alloc gin gout mu min mout mreq done
  rss=$(awk '/VmRSS/{print $2}' "/proc/$gw_pid/status" 2>/dev/null)
  thr=$(awk '/Threads/{print $2}' "/proc/$gw_pid/status" 2>/dev/null)
  fds=$(ls "/proc/$gw_pid/fd" 2>/dev/null | wc -l)
  heap=$(heap_after_gc "$gw_pid")
  direct=$(metric relaygate_netty_direct_memory_used_bytes)
  alloc=$(metric relaygate_netty_allocator_used_bytes 'type="direct"')
  gin=$(metric relaygate_tokens_total 'type="input"')
  gout=$(metric relaygate_tokens_total 'type="output"')
  mu=$(mock_usage)
  min=$(json_field "$mu" input_tokens); mout=$(json_field "$mu" output_tokens); mreq=$(json_field "$mu" requests)
  done=$(tail -1 "$out/driver.jsonl" 2>/dev/null | python3 -c 'import json,sys; print(json.loads(sys.stdin.read() or "{}").get("done", 0))' 2>/dev/null || echo 0)
  echo "$1,${rss:-0},${heap:-0},${direct:-0},${alloc:-0},$fds,${thr:-0},${gin:-0},${gout:-0},$min,$mout,$mreq,$done" >>"$csv"
}

echo "soak: $minutes min at $rate req/s, $faults % faults, $sessions sessions, store $store; gateway pid $gw_pid on $gw_url; out $out" >&2
java -Xmx256m -jar "$bench_jar" soak --key "$key" --rate "$rate" --duration "${minutes}m" --fault-percent "$faults" \
    --sessions "$sessions" "$gw_url" >"$out/driver.jsonl" 2>"$out/driver.err" &
driver=$!
pids+=($driver)
t0=$(date +%s)
sample 0
next=10
while kill -0 "$driver" 2>/dev/null; do
  now=$(( $(date +%s) - t0 ))
  if [ "$now" -ge "$next" ]; then sample "$now"; next=$(( next + 10 )); fi
  sleep 1
done
wait "$driver"; driver_rc=$?
sleep 3 # the usage batch (100 ms) and the metrics settle
sample $(( $(date +%s) - t0 ))

usage_json=$(curl -s -m 10 -H "Authorization: Bearer $admin_token" "$gw_url/admin/usage?by=key&period=total")
echo "$usage_json" >"$out/admin-usage.json"
mock_usage >"$out/mock-usage.json"
tail -1 "$out/driver.jsonl" >"$out/driver-final.json"

python3 - "$csv" "$warmup_minutes" "$out" "$driver_rc" "$minutes" <<'PY' | tee "$out/summary.txt"
import csv, json, sys
path, warm_min, out, driver_rc = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(path))]
warm = warm_min * 60
# The trend is fitted to the samples under load after the warm-up; the last sample, taken after the driver stopped
# (idle connections closed), only serves the usage comparison.
post = [r for r in rows if warm <= r["t_s"] <= float(sys.argv[5]) * 60]
ok = True
def slope(xs, ys):
    n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0), my
print(f"samples: {len(rows)} ({len(post)} under load after the {warm_min:g} min warm-up)")
floors = {"rss_kb": 2048, "heap_after_gc_kb": 2048, "direct_bytes": 2 << 20, "allocator_direct_bytes": 2 << 20,
          "fds": 5, "threads": 2}
if len(post) >= 3:
    span = post[-1]["t_s"] - post[0]["t_s"]
    for col, floor in floors.items():
        s, mean = slope([r["t_s"] for r in post], [r[col] for r in post])
        growth = s * span
        allowed = max(0.05 * mean, floor)
        verdict = "flat" if growth <= allowed else "GROWING"
        ok &= growth <= allowed
        print(f"{col:24} mean {mean:14.0f}  slope {s * 3600:+14.1f}/h  over {span / 60:.1f} min {growth:+12.0f}"
              f"  (allowed {allowed:.0f}) {verdict}")
else:
    print("too few samples after the warm-up for a trend"); ok = False
driver = json.load(open(f"{out}/driver-final.json"))
mock = json.load(open(f"{out}/mock-usage.json"))
print(f"driver: {json.dumps(driver)} (exit {driver_rc})")
ok &= driver_rc == 0
try:
    usage = json.load(open(f"{out}/admin-usage.json"))
    lines = usage.get("lines") or usage.get("rows") or usage.get("usage") or []
    stored_in = sum(l.get("input_tokens", 0) for l in lines)
    stored_out = sum(l.get("output_tokens", 0) for l in lines)
    stored_req = sum(l.get("requests", 0) for l in lines)
except Exception as e:
    stored_in = stored_out = stored_req = -1
    print(f"admin usage unreadable: {e}")
last = rows[-1]
print(f"mock declared: {mock['input_tokens']} input, {mock['output_tokens']} output tokens over {mock['requests']} answers")
print(f"stored usage:  {stored_in} input, {stored_out} output tokens, {stored_req} requests")
print(f"gateway metrics: {last['gw_input_tokens']:.0f} input, {last['gw_output_tokens']:.0f} output tokens")
same = stored_in == mock["input_tokens"] and stored_out == mock["output_tokens"]
ok &= same
print("usage: " + ("equal" if same else "DIFFERENT"))
print("PASS" if ok else "FAIL")
PY
result=${PIPESTATUS[0]}

bash "$root/gateway-bench/soak-plot.sh" "$csv" "$png" \
    "Relaygate soak: $minutes min, $rate req/s, $faults % faults, $sessions sessions, $store store" "$warmup_minutes"
echo "csv $csv, picture $png, summary $out/summary.txt" >&2
exit "$result"
