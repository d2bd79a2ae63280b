#!/usr/bin/env bash
# Where one HTTP bench server's CPU per request goes, under wrk -t1 -cCONNS:
#   1. by thread: user and system CPU time of each group of threads (the number at the end
#      of a thread's name dropped: all dispatcher threads are one group), over the measured
#      window, per request; the compiler, GC and refinement threads included, as in
#      run.sh's CPU per request, which is their sum;
#   2. for pekko-kq's servers, what its poller and sockets did per request over the
#      server's life (its counters, which the server writes to a file): poller turns,
#      events, tasks run (each an async-callback hop into a connection's stage), timers,
#      read and write system calls, EAGAINs;
#   3. with PROFILE=1, by code: a perf profile of the same window (cpu-clock, frame
#      pointers, the JIT's perf map), each sample counted by its innermost frame as
#      kernel, pekko-kq (io.pekkokq), Pekko HTTP, Pekko Streams, Pekko actors and
#      dispatch, JVM (compiled-code stubs, runtime, GC), or other (JDK, Scala, libc).
#
#   bench/http-cpu.sh [SERVER [CONNS [SECONDS]]]
#     SERVER   pekko-http, pekko-http-kq-pool, pekko-http-kq (default), pekko-http-kq-p2,
#              netty-epoll, netty-epoll-1 (run.sh's names; POLLERS as in run.sh, default 1)
#     CONNS    wrk connections (default 50); SECONDS measured (default 8), after 2 wrk
#              runs of warm-up (6 s + 3 s)
#   PROFILE=1 bench/http-cpu.sh pekko-http-kq 500     also the perf profile (needs perf)
#   JAR=<bench jar> bench/http-cpu.sh ...              another build's bench jar
#   JAVA_OPTS="-Xms1g -Xmx1g -Xlog:gc" bench/http-cpu.sh ...   other JVM options (default: run.sh's)
#
# The sums are proportions of one server's own CPU: they change less with the machine's
# load than req/s, but a loaded machine still inflates every figure (caches, switches);
# the load average is printed with them. perf's cpu-clock sampling of one process adds
# to the cost of each of its context switches (kernel shares come out high). Needs
# bench/run.sh's build (bench/target/pekko-kq-bench.jar), wrk, python3.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER=${1:-pekko-http-kq}
CONNS=${2:-50}
MEASURED=${3:-8}
JAR=${JAR:-$BENCH_DIR/target/pekko-kq-bench.jar}
POLLERS=${POLLERS:-1}
PORT=${PORT:-9791}
[ -r "$JAR" ] || { echo "missing $JAR: run bench/run.sh once (or mvn -pl bench -am package -DskipTests)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk" >&2; exit 1; }

work=$(mktemp -d /tmp/kq-http-cpu-XXXXXX)
pid=""
cleanup() { [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# shellcheck source=bench/http-servers.sh
source "$BENCH_DIR/http-servers.sh"
http_server_args "$SERVER" -Dbench.metrics-file="$work/metrics"

: >"$work/server.log"
# shellcheck disable=SC2086
java ${JAVA_OPTS:--Xms1g -Xmx1g} -XX:+PreserveFramePointer -cp "$JAR" "${main[@]}" "$PORT" http >"$work/server.log" 2>&1 &
pid=$!
wait_ready "$work/server.log" "$PORT"
url=http://127.0.0.1:$PORT/
all_reqs=0 # every request the server answered, for pekko-kq's counters, which count from its start
for warm in 6 3; do
  n=$(timeout 30 wrk -t1 -c"$CONNS" -d${warm}s "$url" | awk '/requests in/ {print $1}')
  all_reqs=$((all_reqs + ${n:-0}))
done

# thread id -> thread name (jcmd has the whole name; /proc cuts it at 15 characters)
names() {
  jcmd "$pid" Thread.print 2>/dev/null | sed -n 's/^"\([^"]*\)".* nid=0x\([0-9a-f]*\).*/\2 \1/p' |
    while read -r nid name; do echo "$((16#$nid)) ${name// /_}"; done >>"$work/names"
}
# one line per thread: tid utime stime (clock ticks)
snapshot() {
  for stat in /proc/"$pid"/task/*/stat; do
    line=$(cat "$stat" 2>/dev/null) || continue
    tid=${stat#/proc/$pid/task/}; tid=${tid%/stat}
    rest=${line##*) }
    # shellcheck disable=SC2086
    set -- $rest
    echo "$tid ${12} ${13} $(tr ' ' _ <"/proc/$pid/task/$tid/comm" 2>/dev/null || echo '?')"
  done
}

names
[ "${PROFILE:-0}" = 1 ] && jcmd "$pid" Compiler.perfmap >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
snapshot >"$work/before"
timeout $((MEASURED + 30)) wrk -t1 -c"$CONNS" -d"${MEASURED}s" --latency "$url" >"$work/wrk" &
wrk_pid=$!
if [ "${PROFILE:-0}" = 1 ]; then
  sleep 1
  perf record -q -F 499 -g -p "$pid" -o "$work/perf.data" -- sleep $((MEASURED - 2)) 2>"$work/perf.err" || true
fi
wait "$wrk_pid"
snapshot >"$work/after"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
names
[ "${PROFILE:-0}" = 1 ] && jcmd "$pid" Compiler.perfmap >/dev/null

reqs=$(awk '/requests in/ {print $1}' "$work/wrk")
all_reqs=$((all_reqs + reqs))
echo "$SERVER wrk -t1 -c$CONNS ${MEASURED}s: $(awk '/Requests\/sec/ {print $2}' "$work/wrk") req/s," \
  "p99 $(awk '$1 == "99%" {print $2}' "$work/wrk"), $(grep -o 'timeout [0-9]*' "$work/wrk" || echo 'timeout 0')," \
  "load average $load_before (start), $load_after (end)"
python3 - "$work" "$reqs" <<'EOF'
import sys, re, os, collections
work, reqs = sys.argv[1], int(sys.argv[2])
hz = os.sysconf('SC_CLK_TCK')
names = {}
for line in open(f'{work}/names'):
    tid, name = line.split(maxsplit=1)
    names[tid] = name.strip()
def read(path):
    return {f[0]: (int(f[1]), int(f[2]), f[3]) for f in (l.split() for l in open(path))}
before, after = read(f'{work}/before'), read(f'{work}/after')
user, sys_ = collections.Counter(), collections.Counter()
for tid, (u, s, comm) in after.items():
    u0, s0, _ = before.get(tid, (0, 0, comm))
    group = re.sub(r'[-_#]*[0-9]+$', '', names.get(tid, comm))
    user[group] += u - u0
    sys_[group] += s - s0
per = lambda ticks: ticks * 1e6 / hz / reqs
print(f'{"thread group":58} {"user":>7} {"system":>7}  us per request')
for g in sorted(user, key=lambda g: -(user[g] + sys_[g])):
    if user[g] + sys_[g] > 0:
        print(f'{g[:58]:58} {per(user[g]):7.2f} {per(sys_[g]):7.2f}')
print(f'{"all threads":58} {per(sum(user.values())):7.2f} {per(sum(sys_.values())):7.2f}  ({reqs} requests)')
EOF

# pekko-kq's servers write their counters to a file twice a second (bench.metrics-file):
# per request over the server's life (warm-up included), what the poller and sockets did
if grep -q metrics-file <<<"${main[*]}"; then
  sleep 1.2 # one more write after the last request
  python3 - "$all_reqs" "$work/metrics" <<'PY'
import sys, re
reqs = int(sys.argv[1])
line = open(sys.argv[2]).read()
def total(name):
    return sum(int(v) for v in re.findall(name + r"=(\d+)", line))
print(f"pekko-kq counters per request ({reqs} requests since start): "
      + ", ".join(f"{k} {total(k) / reqs:.3f}" for k in ("turns", "events", "tasksRun", "timersFired", "readCalls", "writeCalls", "eagain"))
      + f"; requests per poller turn {reqs / max(1, total('turns')):.1f}")
PY
fi

[ "${PROFILE:-0}" = 1 ] || exit 0
[ -s "$work/perf.data" ] || { echo "perf record failed:" >&2; cat "$work/perf.err" >&2; exit 1; }
perf script -i "$work/perf.data" -F comm,ip,sym,dso 2>/dev/null | python3 -c '
import sys, re, collections
def category(sym, dso):
    if "kernel" in dso: return "kernel"
    if "io.pekkokq" in sym or "libpekkokq" in dso: return "pekko-kq (io.pekkokq, its JNI library)"
    if "org.apache.pekko.http" in sym or "parboiled" in sym: return "Pekko HTTP"
    if "org.apache.pekko.stream" in sym: return "Pekko Streams"
    if "org.apache.pekko.actor" in sym or "org.apache.pekko.dispatch" in sym: return "Pekko actors, dispatch"
    if "libjvm" in dso or sym in ("vtable chunks", "itable chunks", "Interpreter") or "stub" in sym.lower() \
        or "adapters" in sym: return "JVM (runtime, GC, JIT, call stubs)"
    return "other (JDK, Scala, libc, ...)"
leaf = collections.Counter(); total = 0; frame_seen = False
for line in sys.stdin:
    if not line.strip():
        frame_seen = False; continue
    if not line.startswith((" ", "\t")):
        frame_seen = True; continue  # the sample header
    if frame_seen:
        m = re.match(r"\s*[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$", line)
        if m:
            leaf[category(m.group(1), m.group(2))] += 1; total += 1
        frame_seen = False
print(f"perf: {total} samples, by innermost frame")
for k, v in leaf.most_common():
    print(f"  {k:42} {v * 100 / total:5.1f} %")
'
