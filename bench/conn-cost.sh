#!/usr/bin/env bash
# What a connection costs each server: the bytes its threads allocate to accept one (the
# garbage of connection setup), the live heap one holds after a full GC (idle and never
# read, and after one echo), and the RSS growth beside them.
#
#   bench/conn-cost.sh [SERVER...]
#     SERVER   pekko-kq-actor, pekko-kq-streams, netty-epoll, netty-epoll-1, pekko-classic,
#              pekko-streams (default: these six, in that order); pekko-kq-actor-pool,
#              pekko-kq-streams-pool (handlers on Pekko's default dispatcher, as run.sh)
#   CONNS=10000        idle connections opened per measurement
#   ROUNDS=1           measurements per server (a fresh server each), interleaved
#   PROFILE=12         rows of the allocation profile printed per measurement (0: none)
#   KEEP=1             keep each measurement's JFR recording under bench/results/
#   JAR=<bench jar>    measure another build (e.g. an older commit's)
#
# Per server and round: start it (JAVA_OPTS, default -Xms1g -Xmx1g as bench/run.sh), warm
# it up untimed (WARM_SECONDS of connect churn, then WARM_CONNS connections held, echoed
# and closed), then loadgen's hold mode opens CONNS connections. Around that:
#   before opening   full GC, live heap (heap-used.sh); a JFR recording starts
#                    (conn-cost.jfc: per-thread allocation counters, allocation samples)
#   all open, idle   (IDLE_MS after the last connect) the recording stops; full GC, live
#                    heap: nothing has been read or written on any connection yet
#   after one echo   each connection echoed SIZE bytes once, all still open: live heap
# Bytes per connection = the allocation of the server's threads between the recording's
# start and end (jdk.ThreadAllocationStatistics: exact counters, each thread's end minus
# its start; a thread born in between counts whole; JFR's and jcmd's own threads left
# out) divided by the connections opened. It includes whatever the idle JVM allocates
# in IDLE_MS: run with CONNS=1 to see that floor. Live heap per connection = growth of
# the live heap divided by the connections opened. RSS growth per connection (VmRSS):
# with a fixed heap it follows the young-generation pages setup garbage touched.
#
# Output: a RESULT line per measurement and a markdown table of medians on stdout, raw
# lines in bench/results/conn-cost-<stamp>.txt. Every run is bounded: loadgen by its
# budget and `timeout`, each server is killed when its measurement ends; about 30 s per
# server and round. Needs bench/run.sh's build (make -C bench; mvn -pl bench -am package
# -DskipTests), and the open files limit above CONNS (loadgen raises its own soft limit).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Called by loadgen at the three points above and prints the live heap in KiB, which
# loadgen reports. --probe-cmd runs twice (before opening, after the echo); the first
# call starts the recording, the second only measures.
if [ "${1:-}" = --probe ]; then
  phase=$2 pid=$3 jfr=$4
  if [ "$phase" = edges ] && [ ! -e "$jfr.started" ]; then
    kib=$("$BENCH_DIR/heap-used.sh" "$pid")
    : >"$jfr.started"
    jcmd "$pid" JFR.start name=conncost settings="$BENCH_DIR/conn-cost.jfc" filename="$jfr" >/dev/null
    echo "$kib"
  elif [ "$phase" = idle ]; then
    jcmd "$pid" JFR.stop name=conncost >/dev/null
    "$BENCH_DIR/heap-used.sh" "$pid"
  else
    "$BENCH_DIR/heap-used.sh" "$pid"
  fi
  exit 0
fi

SERVERS=("$@")
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=(pekko-kq-actor pekko-kq-streams netty-epoll netty-epoll-1 pekko-classic pekko-streams)
CONNS=${CONNS:-10000}
ROUNDS=${ROUNDS:-1}
IDLE_MS=${IDLE_MS:-1000}
SIZE=${SIZE:-64}
WARM_SECONDS=${WARM_SECONDS:-3}
WARM_CONNS=${WARM_CONNS:-2000}
PROFILE=${PROFILE:-12}
KEEP=${KEEP:-0}
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g"}
PORT=${BASE_PORT:-9820}
JAR=${JAR:-$BENCH_DIR/target/pekko-kq-bench.jar}
LOADGEN=$BENCH_DIR/build/loadgen
[ -x "$LOADGEN" ] && [ -r "$JAR" ] || {
  echo "missing $LOADGEN or $JAR: run bench/run.sh once (or make -C bench; mvn -pl bench -am package -DskipTests)" >&2
  exit 1
}
RESULTS=$BENCH_DIR/results
mkdir -p "$RESULTS"
STAMP=$(date +%Y%m%d-%H%M%S)
RAW=$RESULTS/conn-cost-$STAMP.txt

server_main() { # NAME: fills MAIN, as bench/run.sh starts the same server
  case "$1" in
    pekko-kq-actor)   MAIN=(-Dbench.handlers=poller io.pekkokq.bench.PekkoKqActorServer) ;;
    pekko-kq-streams) MAIN=(-Dbench.handlers=poller io.pekkokq.bench.PekkoKqStreamsServer) ;;
    # the handlers on Pekko's default dispatcher, as bench/run.sh's -pool names
    pekko-kq-actor-pool)   MAIN=(-Dbench.handlers=pool io.pekkokq.bench.PekkoKqActorServer) ;;
    pekko-kq-streams-pool) MAIN=(-Dbench.handlers=pool io.pekkokq.bench.PekkoKqStreamsServer) ;;
    netty-epoll)      MAIN=(io.pekkokq.bench.NettyEpollServer) ;;
    netty-epoll-1)    MAIN=(-Dbench.netty.threads=1 io.pekkokq.bench.NettyEpollServer) ;;
    pekko-classic)    MAIN=(io.pekkokq.bench.PekkoClassicTcpServer) ;;
    pekko-streams)    MAIN=(io.pekkokq.bench.PekkoStreamsTcpServer) ;;
    *) return 1 ;;
  esac
}
for s in "${SERVERS[@]}"; do server_main "$s" || { echo "unknown server $s" >&2; exit 2; }; done

work=$(mktemp -d /tmp/kq-conn-cost-XXXXXX)
pid=""
stop_server() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

echo "# conn-cost $STAMP: CONNS=$CONNS ROUNDS=$ROUNDS IDLE_MS=$IDLE_MS JAVA_OPTS=$JAVA_OPTS load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$RAW"

measure() { # NAME ROUND
  local name=$1 round=$2 log=$work/$1-$2.log jfr=$work/$1-$2.jfr
  server_main "$name"
  PORT=$((PORT + 1))
  : >"$log"
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$JAR" "${MAIN[@]}" "$PORT" echo >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q "^READY $PORT\$" "$log" && break; sleep 0.1; done
  if ! grep -q "^READY $PORT\$" "$log"; then
    echo "RESULT server=$name round=$round error=server_failed" | tee -a "$RAW"
    stop_server
    return 0
  fi
  # Untimed warm-up: the setup path compiled and every lazily made shared structure made,
  # so the measurement sees what one more connection costs.
  timeout 30 "$LOADGEN" --port "$PORT" --mode churn --conns 20 --size "$SIZE" --duration "$WARM_SECONDS" \
    --warmup 0 --label warmup >/dev/null || true
  timeout 60 "$LOADGEN" --port "$PORT" --mode hold --conns "$WARM_CONNS" --size "$SIZE" --idle-ms 100 \
    --duration 30 --label warmup >/dev/null || true
  sleep 1 # the server sees the warm-up's closes
  local result
  result=$(timeout 120 "$LOADGEN" --port "$PORT" --mode hold --conns "$CONNS" --size "$SIZE" \
    --idle-ms "$IDLE_MS" --duration 90 --server-pid "$pid" --label "$name" \
    --probe-cmd "$0 --probe edges $pid $jfr" --idle-probe-cmd "$0 --probe idle $pid $jfr" |
    grep '^RESULT ' || true)
  stop_server
  if [ -z "$result" ] || [ ! -s "$jfr" ]; then
    echo "RESULT server=$name round=$round error=no_measurement" | tee -a "$RAW"
    return 0
  fi
  jfr print --json --events jdk.ThreadAllocationStatistics,jdk.ObjectAllocationSample "$jfr" >"$work/alloc.json"
  python3 - "$work/alloc.json" "$name" "$round" "$PROFILE" "$result" <<'PY' | tee -a "$RAW"
import json, sys
from datetime import datetime
events = json.load(open(sys.argv[1]))["recording"]["events"]
name, rnd, rows, hold = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
f = dict(kv.split("=", 1) for kv in hold.split()[1:] if "=" in kv)
opened = int(f["opened"]) or 1

def when(e):
    return datetime.fromisoformat(e["values"]["startTime"][:26].rstrip("Z")).timestamp()

def thread_name(v):
    t = v.get("thread") or {}
    return t.get("javaName") or t.get("osName") or "?"

def own_tool(n):  # the recorder's and jcmd's threads, not the server's
    return n.startswith("JFR ") or n == "Attach Listener" or n == "Service Thread"

stats = [e for e in events if e["type"] == "jdk.ThreadAllocationStatistics"]
first_batch = min(when(e) for e in stats)
first, last, born = {}, {}, set()
for e in sorted(stats, key=when):
    v = e["values"]
    if own_tool(thread_name(v)):
        continue
    t = v["javaThreadId"] if "javaThreadId" in v else thread_name(v)
    if t not in first:
        first[t] = v["allocated"]
        if when(e) - first_batch > 0.5:
            born.add(t)  # not there at the start: everything it allocated is in the window
    last[t] = v["allocated"]
total = sum(last[t] - (0 if t in born else first[t]) for t in first)

kib = lambda k: int(f[k]) if f.get(k, "-1") not in ("-1", "") else None
before, idle, after = kib("probe_before_kb"), kib("idle_probe_kb"), kib("probe_after_kb")
per = lambda a, b: round((a - b) * 1024 / opened) if a is not None and b is not None else -1
rss_idle = int(f["idle_growth_kb"]) * 1024 // opened if int(f["idle_growth_kb"]) >= 0 else -1
rss_after = int(f["rss_growth_kb"]) * 1024 // opened if int(f["rss_growth_kb"]) >= 0 else -1
print(f"RESULT server={name} round={rnd} conns={f['conns']} opened={f['opened']} echoed={f['echoed']}"
      f" errors={f['errors']} alloc_bytes={total} alloc_per_conn={total // opened}"
      f" live_idle_per_conn={per(idle, before)} live_after_echo_per_conn={per(after, before)}"
      f" rss_idle_growth_per_conn={rss_idle} rss_growth_per_conn={rss_after}"
      f" threads_born={len(born)}")

if rows <= 0:
    sys.exit(0)
names = {}
for e in stats:
    v = e["values"]
    names[v["javaThreadId"] if "javaThreadId" in v else thread_name(v)] = thread_name(v)
print(f"#   {name} round {rnd}: by thread (exact), bytes per connection")
for t in sorted(first, key=lambda t: -(last[t] - (0 if t in born else first[t])))[:min(rows, 6)]:
    print(f"#   {(last[t] - (0 if t in born else first[t])) / opened:8.0f}  {names[t]}")
# The samples' weights estimate the same total; each row is a share of it, per connection.
LIB = ("java.", "jdk.", "sun.", "scala.")
by_class, by_site, sampled = {}, {}, 0
for e in events:
    if e["type"] != "jdk.ObjectAllocationSample":
        continue
    v = e["values"]
    if own_tool(thread_name(v)):
        continue
    w = v["weight"]
    sampled += w
    c = v["objectClass"]["name"].replace("/", ".") if v.get("objectClass") else "?"
    frames = (v.get("stackTrace") or {}).get("frames") or []
    names = [(fr["method"]["type"]["name"] + "." + fr["method"]["name"]).replace("/", ".") for fr in frames]
    site = next((n for n in names if not n.startswith(LIB)), names[0] if names else "?")
    ours = next((n for n in names if n.startswith("io.pekkokq.")), "-")
    by_class[c] = by_class.get(c, 0) + w
    key = (c, site, ours)
    by_site[key] = by_site.get(key, 0) + w
scale = total / sampled if sampled else 0
print(f"#   {name} round {rnd}: allocation by class, bytes per connection (samples scaled to the exact total)")
for c, w in sorted(by_class.items(), key=lambda kv: -kv[1])[:rows]:
    print(f"#   {w * scale / opened:8.0f}  {c}")
print(f"#   {name} round {rnd}: by class, allocating frame (first outside java/jdk/scala) and first pekko-kq frame")
for (c, site, ours), w in sorted(by_site.items(), key=lambda kv: -kv[1])[:rows]:
    print(f"#   {w * scale / opened:8.0f}  {c}  @ {site}  <- {ours}")
PY
  if [ "$KEEP" = 1 ]; then cp "$jfr" "$RESULTS/conn-cost-$STAMP-$name-$round.jfr"; fi
}

for round in $(seq 1 "$ROUNDS"); do
  for name in "${SERVERS[@]}"; do
    echo "[$(date +%H:%M:%S)] $name round $round (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    measure "$name" "$round"
  done
done
echo "# end: load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RAW"

# Medians per server.
python3 - "$RAW" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT ") or "error=" in line:
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    rows.setdefault(f["server"], []).append(f)
cols = [("alloc_per_conn", "allocated per connection setup, B"),
        ("live_idle_per_conn", "live heap per idle connection, B"),
        ("live_after_echo_per_conn", "live heap per connection after one echo, B"),
        ("rss_idle_growth_per_conn", "RSS growth per idle connection, B"),
        ("rss_growth_per_conn", "RSS growth per connection after one echo, B")]
print()
print("| server | " + " | ".join(c[1] for c in cols) + " | opened / echoed |")
print("|---|" + "---:|" * len(cols) + "---|")
for s, fs in rows.items():
    med = [f"{statistics.median(int(x[k]) for x in fs):,.0f}".replace(",", " ") for k, _ in cols]
    oe = " ".join(f"{x['opened']}/{x['echoed']}" for x in fs)
    print(f"| {s} | " + " | ".join(med) + f" | {oe} |")
PY
echo "raw lines: $RAW" >&2
