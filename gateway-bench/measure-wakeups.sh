#!/usr/bin/env bash
# Thread hand-offs of the Redis arm, per request (issue 21): one gateway on a private redis-server, a key with limits,
# a pre-warm, then a c=8 run under `strace -f -yy` of the gateway's reads, writes and epoll waits. Prints per request:
# eventfd writes (one thread waking another's event loop), epoll waits, writes and reads on the Redis sockets, and the
# system calls per thread group, with the number of threads that made any. Counts, not times: they hold still on a
# loaded machine (strace slows the process; the counts per request do not depend on that).
#
#   bash gateway-bench/measure-wakeups.sh [relaygate.jar] [relaygate-bench.jar]
#
# PREWARM (seconds, default 20) and SECONDS_TRACED (default 10) tune the two runs.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="${1:-$root/gateway-server/target/relaygate.jar}"
bench="${2:-$root/gateway-bench/target/relaygate-bench.jar}"
prewarm="${PREWARM:-20}"
traced="${SECONDS_TRACED:-10}"
work="$(mktemp -d /tmp/relaygate-wakeups.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; echo "work dir $work" >&2; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mock_port=$(free_port)
java -Xms256m -Xmx512m -jar "$bench" mock --port "$mock_port" --no-record >"$work/mock.log" 2>&1 &
pids+=($!)
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$work" --logfile "$work/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

port=$(free_port)
run="env RELAYGATE_DATA_DIR=$work/gw RELAYGATE_LOG_DIR=$work/gw/logs RELAYGATE_REDIS_PREFIX=wakeups: REDIS_URL=redis://127.0.0.1:$redis_port"
$run java -jar "$jar" accounts add --kind anthropic-api --name mock --base-url "http://127.0.0.1:$mock_port" \
    --api-key sk-bench >/dev/null || exit 1
key=$($run java -jar "$jar" keys create --name bench --concurrency 20000 --requests 1000000000 --window 1m \
    --tokens 100000000000 --window 1h --daily-cost 100000 --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])') || exit 1
$run RELAYGATE_PORT=$port java -Xms1g -Xmx1g -jar "$jar" serve >"$work/serve.log" 2>&1 &
gw=$!
pids+=($gw)
for _ in $(seq 100); do curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done

url="http://127.0.0.1:$port/v1/messages"
java -jar "$bench" load "$url" --key "$key" --json -c 8 --warmup 0s --duration "${prewarm}s" >/dev/null 2>>"$work/load.err"
strace -f -yy -qq -e trace=write,writev,read,readv,sendto,recvfrom,sendmsg,recvmsg,epoll_wait,epoll_pwait,epoll_pwait2 \
    -p "$gw" -o "$work/strace.txt" >/dev/null 2>&1 &
spid=$!
sleep 1
out=$(java -jar "$bench" load "$url" --key "$key" --json -c 8 --warmup 0s --duration "${traced}s" 2>>"$work/load.err")
kill -INT "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
# thread names, while the process still runs
for t in /proc/"$gw"/task/*; do echo "$(basename "$t") $(cat "$t/comm" 2>/dev/null)"; done >"$work/threads.txt"

python3 - "$work/strace.txt" "$work/threads.txt" "$out" "$redis_port" <<'EOF'
import collections, json, re, sys
trace, threads, out, redis_port = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
req = int(out["rps"] * out["seconds"])
names = dict(line.split(" ", 1) for line in open(threads).read().splitlines() if " " in line)
def group(tid):
    n = names.get(tid, "?").strip()
    for prefix, g in (("relaygate-io", "event_loops"), ("lettuce-epoll", "lettuce_io"), ("lettuce-nio", "lettuce_io"),
                      ("lettuce-timer", "lettuce_timer"), ("lettuce-", "lettuce_other"), ("relaygate-usage", "usage_writer"),
                      ("relaygate-reque", "request_log")):
        if n.startswith(prefix):
            return g
    return "other"
line_re = re.compile(r"^(\d+)\s+(\w+)\((\d+)<(.*?)>(?:,|\))")
calls = collections.Counter(); by_group = collections.Counter(); tids = collections.defaultdict(set)
by_name = collections.Counter()
for line in open(trace):
    m = line_re.match(line)
    if not m:
        m2 = re.match(r"^(\d+)\s+(\w+)\(", line)
        if not m2 or "resumed" in line:
            continue
        tid, call, path = m2.group(1), m2.group(2), ""
    else:
        tid, call, path = m.group(1), m.group(2), m.group(4)
    g = group(tid); by_group[g] += 1; tids[g].add(tid); by_name[names.get(tid, "?").strip()] += 1
    if call in ("write",) and "eventfd" in path:
        calls["eventfd writes"] += 1
    elif call in ("read",) and "eventfd" in path:
        calls["eventfd reads"] += 1
    elif call.startswith("epoll_"):
        calls["epoll waits"] += 1
    elif ":" + redis_port in path:
        calls["Redis socket " + ("writes" if call.startswith(("write", "send")) else "reads")] += 1
print(f"requests traced: {req} (c=8, {out['seconds']} s)")
for k in ("eventfd writes", "eventfd reads", "epoll waits", "Redis socket writes", "Redis socket reads"):
    print(f"  {k:20} {calls[k] / req:6.2f} per request")
print("  system calls traced per request, by thread group (threads that made any):")
for g, n in sorted(by_group.items(), key=lambda x: -x[1]):
    print(f"    {g:15} {n / req:6.2f}  ({len(tids[g])} threads)")
print("  by thread name (15 characters, as /proc has them):")
for n, c in sorted(by_name.items(), key=lambda x: -x[1]):
    print(f"    {n:15} {c / req:6.2f}")
EOF
