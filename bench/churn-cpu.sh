#!/usr/bin/env bash
# Server CPU per connection under connect churn, by thread group: where a connection's
# setup and teardown run (poller threads, Pekko's dispatchers, the JIT), which the total
# CPU of bench/run.sh's churn mode does not show.
#
#   bench/churn-cpu.sh [LABEL]
#     JAR=<bench jar>     the build to measure (default: this checkout's; give an older
#                         build's jar to compare, one after the other)
#     POLLERS=2           pekko.io.kq.pollers of the actor echo server (handlers on the poller)
#     WARM_SECONDS=10     untimed churn first, so that the JIT is mostly done
#     SECONDS_MEASURED=5  the measured churn
#     PORT=9660
#
# Starts PekkoKqActorServer (-Xms1g -Xmx1g, as bench/run.sh), warms it up with loadgen's
# churn mode (20 concurrent connect, echo 64 B, close), then reads every thread's user +
# system time (/proc/PID/task/*/stat) around the measured churn, names the threads from
# `jcmd Thread.print` and prints microseconds per connection for each group of threads
# (the name without its trailing number) and in total. Compiler threads still working show
# up as such: subtract them, or warm up longer. About 25 s. Needs bench/run.sh's build.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LABEL=${1:-pekko-kq-actor}
JAR=${JAR:-$BENCH_DIR/target/pekko-kq-bench.jar}
POLLERS=${POLLERS:-2}
WARM_SECONDS=${WARM_SECONDS:-10}
SECONDS_MEASURED=${SECONDS_MEASURED:-5}
PORT=${PORT:-9660}
LOADGEN=$BENCH_DIR/build/loadgen
[ -x "$LOADGEN" ] && [ -r "$JAR" ] || { echo "missing $LOADGEN or $JAR: run bench/run.sh once" >&2; exit 1; }

work=$(mktemp -d /tmp/kq-churn-cpu-XXXXXX)
java -Xms1g -Xmx1g -Dpekko.io.kq.pollers="$POLLERS" -Dbench.handlers=poller -cp "$JAR" \
  io.pekkokq.bench.PekkoKqActorServer "$PORT" echo >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do grep -q "^READY $PORT\$" "$work/server.log" && break; sleep 0.1; done
grep -q "^READY $PORT\$" "$work/server.log" || { echo "server did not start" >&2; exit 1; }

timeout 60 "$LOADGEN" --port "$PORT" --mode churn --conns 20 --size 64 --duration "$WARM_SECONDS" \
  --warmup 0 --label warmup >/dev/null || true
# tid and user + system clock ticks of every thread
ticks() {
  for t in /proc/"$pid"/task/*; do
    read -r -a f < <(sed 's/^.*) //' "$t/stat")
    echo "${t##*/} $((f[11] + f[12]))"
  done
}
ticks >"$work/before"
result=$(timeout 60 "$LOADGEN" --port "$PORT" --mode churn --conns 20 --size 64 --duration "$SECONDS_MEASURED" \
  --warmup 0 --label "$LABEL" | grep '^RESULT ')
ticks >"$work/after"
# tid (decimal) and thread name, spaces made underscores
jcmd "$pid" Thread.print 2>/dev/null | sed -n 's/^"\([^"]*\)".* nid=\(0x[0-9a-f]*\).*/\2 \1/p' |
  while read -r nid name; do echo "$((nid)) ${name// /_}"; done >"$work/names"
conns=$(sed 's/.*conns_done=\([0-9]*\).*/\1/' <<<"$result")
[ -n "$conns" ] && [ "$conns" -gt 0 ] || { echo "no connections measured: $result" >&2; exit 1; }
echo "$LABEL: $conns connections in ${SECONDS_MEASURED} s, POLLERS=$POLLERS, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v conns="$conns" -v hz="$(getconf CLK_TCK)" '
  FILENAME ~ /names$/ { name[$1] = $2; next }
  FILENAME ~ /before$/ { before[$1] = $2; next }
  {
    group = ($1 in name) ? name[$1] : "unnamed"
    sub(/-?#?[0-9]+$/, "", group)
    used[group] += $2 - before[$1]
  }
  END {
    for (g in used) { total += used[g]; if (used[g] > 0) printf "  %-42s %8.1f us/conn\n", g, used[g] * 1e6 / hz / conns }
    printf "  %-42s %8.1f us/conn\n", "total", total * 1e6 / hz / conns
  }' "$work/names" "$work/before" "$work/after" | sort -k2 -g -r
