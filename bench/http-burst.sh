#!/usr/bin/env bash
# How long new connections wait for their first response when many open at once under
# load: an HTTP bench server is warmed up (6 s of wrk -t1 -cCONNS), then wrk runs RUNS
# times for 1 s each, back to back. Every wrk run opens its CONNS connections at once,
# so its slowest request is, in practice, the last new connection's first one: the time
# the server took to accept and set up CONNS connections while the earlier ones keep it
# busy. Printed per run: req/s, p99 and the slowest request (wrk's max).
#
#   bench/http-burst.sh [SERVER [RUNS [CONNS]]]
#     SERVER   pekko-http, pekko-http-kq-pool (default), pekko-http-kq, pekko-http-kq-p2,
#              netty-epoll, netty-epoll-1 (run.sh's names; POLLERS as in run.sh, default 1)
#     RUNS     1 s wrk runs after the warm-up (default 3); CONNS wrk connections (default 50)
#   PIN=0 bench/http-burst.sh ...   unpinned; by default (PIN=1) the server runs on CPU 0
#                                   and wrk on CPU 1 (taskset): one core each
#   JAR=<bench jar>, JAVA_OPTS=...  another build's bench jar, other JVM options
#
# One core for the server is where the setup of each connection competes hardest with
# serving the others (docs/pekko-http.md, "Pinned, one core each"). Needs bench/run.sh's
# build (bench/target/pekko-kq-bench.jar), wrk, and taskset unless PIN=0. About 15 s.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER=${1:-pekko-http-kq-pool}
RUNS=${2:-3}
CONNS=${3:-50}
JAR=${JAR:-$BENCH_DIR/target/pekko-kq-bench.jar}
PORT=${PORT:-9792}
PIN=${PIN:-1}
[ -r "$JAR" ] || { echo "missing $JAR: run bench/run.sh once (or mvn -pl bench -am package -DskipTests)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk" >&2; exit 1; }

server_pin=()
client_pin=()
if [ "$PIN" = 1 ]; then
  command -v taskset >/dev/null || { echo "needs taskset (util-linux), or PIN=0" >&2; exit 1; }
  [ "$(nproc)" -ge 2 ] || { echo "PIN=1 needs 2 CPUs; use PIN=0" >&2; exit 1; }
  server_pin=(taskset -c 0)
  client_pin=(taskset -c 1)
fi

# shellcheck source=bench/http-servers.sh
source "$BENCH_DIR/http-servers.sh"
http_server_args "$SERVER"

log=$(mktemp /tmp/kq-http-burst-XXXXXX)
pid=""
cleanup() { [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

# shellcheck disable=SC2086
"${server_pin[@]}" java ${JAVA_OPTS:--Xms1g -Xmx1g} -cp "$JAR" "${main[@]}" "$PORT" http >"$log" 2>&1 &
pid=$!
wait_ready "$log" "$PORT"
url=http://127.0.0.1:$PORT/

timeout 30 "${client_pin[@]}" wrk -t1 -c"$CONNS" -d6s "$url" >/dev/null
echo "$SERVER, $CONNS new connections per 1 s run, $([ "$PIN" = 1 ] && echo "server on CPU 0, wrk on CPU 1" || echo unpinned), load $(cut -d' ' -f1 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
  timeout 30 "${client_pin[@]}" wrk -t1 -c"$CONNS" -d1s --latency "$url" |
    awk -v run="$run" '$1 == "Latency" && $2 ~ /^[0-9]/ {max = $4} / 99%/ {p99 = $2} /Requests\/sec/ {rps = $2}
      END {printf "  run %d: %8.0f req/s, p99 %-9s slowest %s\n", run, rps, p99, max}'
done
