#!/usr/bin/env bash
# Arms of docs/benchmarks.md "Limits, scheduling and usage on the hot path": the gateway on the embedded store, on
# Redis with a key without limits, and on Redis with a key with limits (none reached), each against a fresh mock
# upstream, JSON answers, 1 and 32 connections. Needs wrk and a Redis at $REDIS_URL (default 127.0.0.1:6379).
#   mvn -B -q package -DskipTests && bash gateway-bench/run-limits-bench.sh [rounds]
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/gateway-server/target/relaygate.jar"
bench="$root/gateway-bench/target/relaygate-bench.jar"
lua="$root/gateway-bench/src/main/resources/wrk/messages.lua"
redis="${REDIS_URL:-redis://127.0.0.1:6379}"
work="$(mktemp -d)"
rounds="${1:-2}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
[ -f "$jar" ] && [ -f "$bench" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }

secret() { python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }

arm() { # name store-env key-flags
  pkill -f "relaygate-bench.jar mock" 2>/dev/null; sleep 0.5
  java -jar "$bench" mock --port 4000 >/dev/null 2>&1 &
  local mock=$!
  sleep 1.5
  local dir="$work/$RANDOM" prefix="bench$RANDOM:"
  local run="env RELAYGATE_DATA_DIR=$dir RELAYGATE_REDIS_PREFIX=$prefix $2"
  $run java -jar "$jar" accounts add --kind anthropic-api --name mock --base-url http://127.0.0.1:4000 \
      --api-key sk-bench >/dev/null
  local key
  key=$($run java -jar "$jar" keys create --name "k$RANDOM" $3 --json | secret)
  $run RELAYGATE_PORT=3000 java -Xmx512m -jar "$jar" serve >/dev/null 2>&1 &
  local gw=$!
  sleep 3.5
  KEY=$key wrk -t2 -c16 -d15s -s "$lua" http://127.0.0.1:3000/v1/messages | grep -E "Non-2xx"
  for c in 1 32; do
    local t=2
    [ "$c" = 1 ] && t=1
    echo "$1 c=$c: $(KEY=$key wrk -t$t -c$c -d8s --latency -s "$lua" http://127.0.0.1:3000/v1/messages \
        | grep -E 'Requests/sec|50%|90%|99%' | tr -s ' ' | tr '\n' ' ')"
  done
  kill $gw $mock; wait $gw $mock 2>/dev/null
}

limits="--concurrency 1000 --requests 1000000000 --window 1m --tokens 100000000000 --window 1h --daily-cost 100000"
for _ in $(seq "$rounds"); do
  arm embedded "RELAYGATE_STORE=local" ""
  arm redis "REDIS_URL=$redis" ""
  arm redis+limits "REDIS_URL=$redis" "$limits"
done
rm -rf "$work"
