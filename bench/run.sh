#!/usr/bin/env bash
# Runs the benchmark servers side by side against the same client in the same
# run, in interleaved rounds (A B C ... A B C ...), and writes
#   bench/results/raw-<timestamp>.txt      one RESULT line per measurement
#   bench/results/summary-<timestamp>.md   medians, ratios against $BASELINE
#   bench/results/logs-<timestamp>/        server output
#
#   bench/run.sh              full mode (about 15-20 minutes)
#   QUICK=1 bench/run.sh      quick mode (under 5 minutes)
#
# Every variable below can be overridden from the environment, e.g.
#   QUICK=1 DURATION=3 ROUNDS=1 SERVERS="netty-epoll c-epoll" MODES="pingpong http" bench/run.sh
#   TRANSPORT=unix QUICK=1 bench/run.sh    the echo modes over Unix domain sockets
#   TRANSPORT=udp QUICK=1 bench/run.sh     UDP echo: Pekko's Udp, pekko-kq (actors, Streams),
#                                          Netty epoll datagram, C recvmmsg
#   BASE_JAR=<jar> SERVERS="pekko-kq-actor@base pekko-kq-actor" bench/run.sh
#                             a server from another build (BASE_JAR) beside this build's
#   PIN=1 bench/run.sh        server on CPU 0, load generator (and wrk) on CPU 1 (taskset):
#                             every stack gets exactly one core, the client cannot steal it
# Pekko HTTP on Pekko's Tcp against pekko-kq (HTTP only; wrk -c50 and -c500):
#   MODES=http BASELINE=pekko-http SERVERS="pekko-http pekko-http-kq-pool pekko-http-kq pekko-http-takeover netty-epoll" bench/run.sh
set -euo pipefail

# ------------------------------------------------------------------ settings
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  DURATION=${DURATION:-4}        # measured seconds per run
  WARMUP=${WARMUP:-0.5}          # unmeasured seconds at the start of each loadgen run
  JVM_WARMUP=${JVM_WARMUP:-2}    # untimed load right after a server starts
  ROUNDS=${ROUNDS:-1}
  HOLD_CONNS=${HOLD_CONNS:-2000}
else
  DURATION=${DURATION:-8}
  WARMUP=${WARMUP:-1}
  JVM_WARMUP=${JVM_WARMUP:-4}
  ROUNDS=${ROUNDS:-3}
  HOLD_CONNS=${HOLD_CONNS:-10000}
fi

# tcp, or unix: every server listens on a Unix domain socket (a fresh path per start)
# and loadgen connects with --unix; only the servers that have Unix domain sockets,
# and no http mode (wrk speaks TCP only); or udp: the UDP echo servers and loadgen's
# udp mode only.
TRANSPORT=${TRANSPORT:-tcp}

# Servers in the order each round runs them. Known names: see server_cmd below.
if [ "$TRANSPORT" = udp ]; then
  SERVERS=${SERVERS:-"pekko-udp pekko-kq-udp pekko-kq-udp-streams netty-epoll-udp c-udp"}
  BASELINE=${BASELINE:-netty-epoll-udp}
  MODES=${MODES:-"udp"}
elif [ "$TRANSPORT" = unix ]; then
  SERVERS=${SERVERS:-"netty-nio pekko-kq-streams pekko-kq-actor netty-epoll"}
  BASELINE=${BASELINE:-netty-nio}
  MODES=${MODES:-"pingpong stream churn"}
else
  SERVERS=${SERVERS:-"pekko-streams pekko-classic pekko-kq-streams pekko-kq-actor netty-epoll netty-epoll-1 netty-nio c-epoll"}
  BASELINE=${BASELINE:-pekko-streams}
  MODES=${MODES:-"pingpong stream churn hold http"}
fi

PP_CONNS=${PP_CONNS:-50}           # pingpong: connections x message size
PP_SIZE=${PP_SIZE:-64}
ST_CONNS=${ST_CONNS:-10}           # stream: connections x bytes in flight (chunk = window)
ST_WINDOW=${ST_WINDOW:-16384}
CHURN_CONNS=${CHURN_CONNS:-20}     # churn: concurrent connect/echo/close slots
CHURN_SIZE=${CHURN_SIZE:-64}
HOLD_IDLE_MS=${HOLD_IDLE_MS:-1000}
HOLD_BUDGET=${HOLD_BUDGET:-40}      # hold: seconds allowed to open, idle and echo (ends early when done)
UDP_CONNS=${UDP_CONNS:-8}          # udp: sockets x datagrams outstanding each x datagram size
UDP_WINDOW=${UDP_WINDOW:-64}
UDP_SIZE=${UDP_SIZE:-64}
UDP_LOSS_MS=${UDP_LOSS_MS:-200}    # udp: not echoed within this: lost (its place is reused)
UDP_MAX=${UDP_MAX:-50000000}       # udp: at most this many datagrams per run (a bound on count besides time)
WRK_CONNS=${WRK_CONNS:-"50 500"}   # one wrk -t1 run per value
WRK_THREADS=${WRK_THREADS:-1}

JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g"}  # the same for every JVM server; a fixed heap keeps RSS growth (hold) from going negative
POLLERS=${POLLERS:-1}              # pekko.io.kq.pollers of the pekko-kq servers (but the -p2 ones)
C_THREADS=${C_THREADS:-1}          # threads of the C epoll server
# PERF=1: profile each measured run with perf (docs/benchmarks.md, "Where the CPU goes,
# with perf"): the JVM servers start with -XX:+PreserveFramePointer and write a perf map
# (jcmd Compiler.perfmap) so that JIT-compiled Java frames have names; over PERF_SECONDS of
# the measured window, perf record (cpu-clock, 999 Hz, call graphs) and perf stat (context
# switches, migrations, and the process's read/write/epoll/futex system calls, per thread).
# Writes LOGS/<server>-<mode>-r<round>.perf.{data,txt,stat}. perf costs the server a few
# percent: profiled runs are for proportions and counts, not for throughput figures.
PERF=${PERF:-0}
PERF_SECONDS=${PERF_SECONDS:-$(awk -v d="$DURATION" 'BEGIN { printf "%d", (d > 2 ? d - 1 : 1) }')}  # inside the measured window
PERF_SYSCALLS=${PERF_SYSCALLS:-"read recvfrom readv write sendto writev sendmsg epoll_wait epoll_pwait epoll_pwait2 futex"}
PERF_EVENTS=${PERF_EVENTS:-"task-clock,context-switches,cpu-migrations$(printf ',syscalls:sys_enter_%s' $PERF_SYSCALLS)"}
BASE_PORT=${BASE_PORT:-9400}       # each server start takes the next port (below the ephemeral range)
READY_TIMEOUT=${READY_TIMEOUT:-30} # seconds to wait for "READY <port>"
SKIP_BUILD=${SKIP_BUILD:-0}
# PIN=1: taskset the server to SERVER_CPUS and loadgen/wrk to CLIENT_CPUS (needs 2+ CPUs).
PIN=${PIN:-0}
SERVER_CPUS=${SERVER_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
SERVER_PIN=()
CLIENT_PIN=()
if [ "$PIN" = 1 ]; then
  SERVER_PIN=(taskset -c "$SERVER_CPUS")
  CLIENT_PIN=(taskset -c "$CLIENT_CPUS")
fi

# ------------------------------------------------------------------ paths
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
BUILD_DIR="$BENCH_DIR/build"
JAR="$BENCH_DIR/target/pekko-kq-bench.jar"
LOADGEN="$BUILD_DIR/loadgen"
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS="$BENCH_DIR/results"
RAW="$RESULTS/raw-$STAMP.txt"
SUMMARY="$RESULTS/summary-$STAMP.md"
LOGS="$RESULTS/logs-$STAMP"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------------ servers
# server_cmd NAME MODE PORT: prints nothing and fails for an unknown name;
# otherwise fills the array CMD.
# NAME@base: the same JVM server from $BASE_JAR, another build's bench jar (say the
# main branch's bench/target/pekko-kq-bench.jar), so a change and its base run
# interleaved in one run, under the same load.
server_cmd() {
  local name=$1 mode=$2 port=$3 jar=$JAR
  if [[ "$name" == *@base ]]; then
    [ -r "${BASE_JAR:-}" ] || { log "$name needs BASE_JAR=<another build's bench jar>"; return 1; }
    name=${name%@base}
    jar=$BASE_JAR
  fi
  # shellcheck disable=SC2206
  local jvm=("$JAVA" $JAVA_OPTS -cp "$jar")
  [ "$PERF" = 1 ] && jvm=("$JAVA" $JAVA_OPTS -XX:+PreserveFramePointer -cp "$jar")
  # The pekko-kq servers: POLLERS pollers (default 1, as many threads as netty-epoll-1;
  # pekko-kq's own default, auto, would give one per core); the -p2 ones: 2.
  local kq=("${jvm[@]}" -Dpekko.io.kq.pollers="$POLLERS")
  local kq2=("${jvm[@]}" -Dpekko.io.kq.pollers=2)
  case "$name" in
    c-epoll)        CMD=("$BUILD_DIR/c-epoll-server" "$port" "$mode" "$C_THREADS") ;;
    # UDP echo servers (TRANSPORT=udp): the C recvmmsg/sendmmsg server, the actor API on
    # Pekko's Udp and on KqUdp (same handler), KqUdp's Streams bindFlow, Netty epoll datagram.
    c-udp)                CMD=("$BUILD_DIR/c-udp-server" "$port" echo "$C_THREADS") ;;
    pekko-udp)            CMD=("${jvm[@]}" -Dbench.udp=pekko io.pekkokq.bench.UdpEchoServer "$port") ;;
    pekko-kq-udp)         CMD=("${kq[@]}" -Dbench.udp=kq io.pekkokq.bench.UdpEchoServer "$port") ;;
    pekko-kq-udp-streams) CMD=("${kq[@]}" io.pekkokq.bench.KqUdpStreamsEchoServer "$port") ;;
    netty-epoll-udp)      CMD=("${jvm[@]}" io.pekkokq.bench.NettyEpollUdpServer "$port") ;;
    pekko-classic)  CMD=("${jvm[@]}" io.pekkokq.bench.PekkoClassicTcpServer "$port" "$mode") ;;
    pekko-streams)  CMD=("${jvm[@]}" io.pekkokq.bench.PekkoStreamsTcpServer "$port" "$mode") ;;
    netty-epoll)    CMD=("${jvm[@]}" io.pekkokq.bench.NettyEpollServer "$port" "$mode") ;;
    # Netty epoll with one event loop for connections: as many threads as pekko-kq's one
    # poller (pekko.io.kq.pollers = 1), the comparison a Netty user tuning for it would make.
    netty-epoll-1)  CMD=("${jvm[@]}" -Dbench.netty.threads=1 io.pekkokq.bench.NettyEpollServer "$port" "$mode") ;;
    netty-nio)      CMD=("${jvm[@]}" io.pekkokq.bench.NettyNioServer "$port" "$mode") ;;
    # The pekko-kq servers: same arguments, same READY line. Plain names run the
    # handlers on the connection's poller thread (as the docs recommend for handlers
    # that never block); "-pool" runs them on Pekko's default dispatcher, as the Pekko
    # servers do.
    pekko-kq-actor)   CMD=("${kq[@]}" -Dbench.handlers=poller io.pekkokq.bench.PekkoKqActorServer "$port" "$mode") ;;
    pekko-kq-actor-pool) CMD=("${kq[@]}" -Dbench.handlers=pool io.pekkokq.bench.PekkoKqActorServer "$port" "$mode") ;;
    pekko-kq-streams) CMD=("${kq[@]}" -Dbench.handlers=poller io.pekkokq.bench.PekkoKqStreamsServer "$port" "$mode") ;;
    pekko-kq-streams-pool) CMD=("${kq[@]}" -Dbench.handlers=pool io.pekkokq.bench.PekkoKqStreamsServer "$port" "$mode") ;;
    # The same two with two pollers (pekko.io.kq.pollers = 2, so two listener shards): 1
    # against 2 pollers in one run (docs/benchmarks.md, issue 18, "Scale with cores").
    pekko-kq-actor-p2)   CMD=("${kq2[@]}" -Dbench.handlers=poller io.pekkokq.bench.PekkoKqActorServer "$port" "$mode") ;;
    pekko-kq-streams-p2) CMD=("${kq2[@]}" -Dbench.handlers=poller io.pekkokq.bench.PekkoKqStreamsServer "$port" "$mode") ;;
    # The same two with pekko.io.kq.metrics.enabled = off: what counting costs, metrics
    # on against off in one run (docs/benchmarks.md, "Metrics overhead").
    pekko-kq-actor-nometrics)   CMD=("${kq[@]}" -Dbench.handlers=poller -Dpekko.io.kq.metrics.enabled=off io.pekkokq.bench.PekkoKqActorServer "$port" "$mode") ;;
    pekko-kq-streams-nometrics) CMD=("${kq[@]}" -Dbench.handlers=poller -Dpekko.io.kq.metrics.enabled=off io.pekkokq.bench.PekkoKqStreamsServer "$port" "$mode") ;;
    # Pekko HTTP's hello (bindSync) on Pekko's Tcp, on KqHttp with each connection's graph on
    # the pool or on its poller thread, and unchanged with take-over-pekko-tcp; HTTP only:
    # run them with MODES=http (docs/pekko-http.md).
    pekko-http)          CMD=("${jvm[@]}" -Dbench.transport=pekko io.pekkokq.bench.PekkoHttpHelloServer "$port" "$mode") ;;
    pekko-http-kq-pool)  CMD=("${kq[@]}" -Dbench.transport=kq-pool io.pekkokq.bench.PekkoHttpHelloServer "$port" "$mode") ;;
    pekko-http-kq)       CMD=("${kq[@]}" -Dbench.transport=kq io.pekkokq.bench.PekkoHttpHelloServer "$port" "$mode") ;;
    # The same with two pollers (two listener shards, the graphs spread over both threads).
    pekko-http-kq-p2)    CMD=("${kq2[@]}" -Dbench.transport=kq io.pekkokq.bench.PekkoHttpHelloServer "$port" "$mode") ;;
    pekko-http-takeover) CMD=("${kq[@]}" -Dbench.transport=takeover io.pekkokq.bench.PekkoHttpHelloServer "$port" "$mode") ;;
    *) return 1 ;;
  esac
}

SERVER_PID=""
NEXT_PORT=$BASE_PORT
PORT=""     # what the server is given and prints after READY: a port, or unix:<path>
TARGET=()   # how loadgen reaches it: --port N, or --unix <path>
UDS_DIR=""  # TRANSPORT=unix: a private directory for the socket files, removed at exit

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  stop_server
  [ -z "$UDS_DIR" ] || rm -rf "$UDS_DIR"
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# start_server NAME MODE ROUND: starts it on a fresh port, waits for READY.
start_server() {
  local name=$1 mode=$2 round=$3
  if [ "$TRANSPORT" = unix ]; then
    [ -n "$UDS_DIR" ] || UDS_DIR=$(mktemp -d /tmp/kq-bench-XXXXXX)
    PORT="unix:$UDS_DIR/$name-$mode-r$round.sock"
    TARGET=(--unix "${PORT#unix:}")
  else
    PORT=$NEXT_PORT
    NEXT_PORT=$((NEXT_PORT + 1))
    TARGET=(--port "$PORT")
  fi
  server_cmd "$name" "$mode" "$PORT" || { log "unknown server $name"; return 1; }
  local out="$LOGS/$name-$mode-r$round.log"
  "${SERVER_PIN[@]}" "${CMD[@]}" >"$out" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if grep -q "^READY $PORT\$" "$out" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  log "$name ($mode) did not get ready; see $out"
  stop_server
  return 1
}

# ------------------------------------------------------------------ load
# run_loadgen MODE LABEL LIMIT ARGS...: runs the load generator under a hard outer
# timeout of LIMIT seconds; prints its RESULT line, or a failure line if it printed none.
run_loadgen() {
  local mode=$1 label=$2 limit=$3 out
  shift 3
  out=$(timeout -k 2 "$limit" "${CLIENT_PIN[@]}" "$LOADGEN" --mode "$mode" --label "$label" "$@" 2>>"$LOGS/loadgen.err" \
        | grep '^RESULT ') || true
  if [ -n "$out" ]; then
    printf '%s\n' "$out"
  else
    failed_line "$mode" "$label" 0 loadgen_failed
  fi
}

ROUND=0 # the round being run, written into each RESULT line (summarize.sh: per-round ratios)

record() { # stdin: RESULT lines -> raw file and terminal
  local line
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    line="$line round=$ROUND"
    echo "$line" >>"$RAW"
    echo "  $line" >&2
  done
}

failed_line() { # mode server conns status
  echo "RESULT mode=$1 server=$2 conns=$3 status=$4"
}

# cpu_us PID: the process's CPU time (user + system, all threads) in microseconds, from
# /proc/PID/stat fields 14 and 15 (clock ticks, counted after the command name's ')').
cpu_us() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -1; return; }
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( (${12} + ${13}) * 1000000 / $(getconf CLK_TCK) ))
}

# ctxt_switches PID: "<thread>-<tid> voluntary involuntary" for each thread, sorted
ctxt_switches() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '/^Name:/ { sub(/^Name:[ \t]*/, ""); gsub(/ /, "_"); name = $0 }
      /^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 }
      END { print name "-" tid, v, n }' "$t/status" 2>/dev/null
  done | sort
}

# perf_begin NAME MODE DELAY: with PERF=1, profiles the server from DELAY seconds on for
# PERF_SECONDS, in the background (see PERF above); perf_end waits for the reports.
PERF_JOB=""
perf_begin() {
  [ "$PERF" = 1 ] || return 0
  local base="$LOGS/$1-$2-r$ROUND" delay=$3 pid=$SERVER_PID
  (
    sleep "$delay"
    # names for the JIT-compiled frames (/tmp/perf-<pid>.map); the C server has symbols
    case "$1" in c-*) ;; *) jcmd "$pid" Compiler.perfmap >/dev/null 2>&1 || true ;; esac
    # per thread, leaving out the threads and events that did not count
    perf stat --per-thread -e "$PERF_EVENTS" -p "$pid" -o "$base.perf.stat.all" -- sleep "$PERF_SECONDS" 2>/dev/null &
    local before after
    before=$(ctxt_switches "$pid")
    perf record -q -F 999 -g -p "$pid" -o "$base.perf.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1
    after=$(ctxt_switches "$pid")
    wait
    {
      grep -v -e '<not counted>' -e '  0  ' "$base.perf.stat.all"
      echo "# voluntary / involuntary context switches per thread over the same window (/proc/PID/task/*/status)"
      join <(echo "$before") <(echo "$after") | awk '{ v = $4 - $2; n = $5 - $3; if (v + n >= 100) printf "%-24s voluntary %8d  involuntary %8d\n", $1, v, n }'
    } >"$base.perf.stat" 2>/dev/null || true
    {
      echo "# perf report --no-children --sort comm,dso,sym -g none (self time, by thread)"
      perf report -i "$base.perf.data" --stdio --no-children --sort comm,dso,sym -g none --percent-limit 0.3 2>/dev/null
      echo "# perf report --no-children --sort dso (self time by library: kernel, libjvm, JIT code, libpekkokq)"
      perf report -i "$base.perf.data" --stdio --no-children --sort dso -g none 2>/dev/null
    } >"$base.perf.txt"
  ) &
  PERF_JOB=$!
}
perf_end() {
  [ -n "$PERF_JOB" ] || return 0
  wait "$PERF_JOB" 2>/dev/null || true
  PERF_JOB=""
}

# wrk_run NAME CONNS SECONDS: one wrk run turned into a RESULT line, with the server's CPU
# time over the run (wrk has no warm-up inside a run; its start and end are in the window).
wrk_run() {
  local name=$1 conns=$2 secs=$3
  local out cpu_from cpu_to
  cpu_from=$(cpu_us "$SERVER_PID")
  out=$(timeout -k 2 $((secs + 15)) "${CLIENT_PIN[@]}" wrk -t"$WRK_THREADS" -c"$conns" -d"${secs}s" --latency \
        "http://127.0.0.1:$PORT/" 2>&1) || true
  cpu_to=$(cpu_us "$SERVER_PID")
  printf '%s\n' "$out" >>"$LOGS/wrk.log"
  printf '%s\n' "$out" | awk -v server="$name" -v conns="$conns" -v threads="$WRK_THREADS" -v secs="$secs" \
      -v cpu_from="$cpu_from" -v cpu_to="$cpu_to" '
    function us(s,   x) {
      x = s + 0
      if (s ~ /us$/) return x
      if (s ~ /ms$/) return x * 1000
      if (s ~ /m$/)  return x * 60000000
      if (s ~ /s$/)  return x * 1000000
      return x
    }
    /^ +50% / { p50 = us($2) }
    /^ +90% / { p90 = us($2) }
    /^ +99% / { p99 = us($2) }
    / requests in / { reqs = $1 }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /^Requests\/sec:/ { rps = $2 }
    END {
      if (rps == "") { printf "RESULT mode=http server=%s conns=%s status=failed\n", server, conns; exit }
      cpu = ""
      if (cpu_from >= 0 && cpu_to >= cpu_from && reqs > 0)
        cpu = sprintf(" server_cpu_ms=%.0f cpu_us_per_req=%.2f", (cpu_to - cpu_from) / 1000, (cpu_to - cpu_from) / reqs)
      printf "RESULT mode=http server=%s conns=%s threads=%s duration_s=%s reqs=%s reqs_per_s=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f%s errors=%d status=ok\n",
        server, conns, threads, secs, reqs, rps, p50, p90, p99, cpu, err
    }'
}

echo_modes() { # modes among MODES that need the echo server
  local m r=""
  for m in $MODES; do
    case "$m" in pingpong|stream|churn|hold|udp) r="$r $m" ;; esac
  done
  echo "$r"
}

run_echo() { # NAME ROUND
  local name=$1 round=$2 m
  local modes
  modes=$(echo_modes)
  [ -n "$modes" ] || return 0
  if ! start_server "$name" echo "$round"; then
    for m in $modes; do failed_line "$m" "$name" 0 server_failed | record; done
    return 0
  fi
  local limit
  limit=$(awk -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", d + w + 15 }')
  log "$name echo on :$PORT (pid $SERVER_PID), warming up ${JVM_WARMUP}s"
  if [ "$TRANSPORT" = udp ]; then
    timeout -k 2 $((${JVM_WARMUP%.*} + 15)) "$LOADGEN" "${TARGET[@]}" --mode udp --conns "$UDP_CONNS" \
      --window "$UDP_WINDOW" --size "$UDP_SIZE" --duration "$JVM_WARMUP" --warmup 0 --label warmup >/dev/null 2>&1 || true
  else
    timeout -k 2 $((${JVM_WARMUP%.*} + 15)) "$LOADGEN" "${TARGET[@]}" --mode pingpong --conns "$PP_CONNS" \
      --size "$PP_SIZE" --duration "$JVM_WARMUP" --warmup 0 --label warmup >/dev/null 2>&1 || true
    timeout -k 2 15 "$LOADGEN" "${TARGET[@]}" --mode stream --conns "$ST_CONNS" --size "$ST_WINDOW" \
      --window "$ST_WINDOW" --duration 1 --warmup 0 --label warmup >/dev/null 2>&1 || true
  fi
  for m in $modes; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      failed_line "$m" "$name" 0 server_died | record
      continue
    fi
    [ "$m" = hold ] || perf_begin "$name" "$m" "$WARMUP"
    case "$m" in
      pingpong) run_loadgen pingpong "$name" "$limit" "${TARGET[@]}" --conns "$PP_CONNS" --size "$PP_SIZE" \
                  --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" | record ;;
      stream)   run_loadgen stream "$name" "$limit" "${TARGET[@]}" --conns "$ST_CONNS" --size "$ST_WINDOW" \
                  --window "$ST_WINDOW" --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" | record ;;
      udp)      run_loadgen udp "$name" "$limit" "${TARGET[@]}" --conns "$UDP_CONNS" --window "$UDP_WINDOW" \
                  --size "$UDP_SIZE" --loss-ms "$UDP_LOSS_MS" --max-datagrams "$UDP_MAX" \
                  --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" | record ;;
      churn)    run_loadgen churn "$name" "$limit" "${TARGET[@]}" --conns "$CHURN_CONNS" --size "$CHURN_SIZE" \
                  --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" | record ;;
      hold)     # the hold run is bounded by its own --duration (time to open, idle and echo)
                probe=()  # JVM servers: live heap after a GC, the figure RSS cannot give
                [ "$name" = c-epoll ] || probe=(--probe-cmd "$BENCH_DIR/heap-used.sh $SERVER_PID")
                run_loadgen hold "$name" $((HOLD_BUDGET + 15)) "${TARGET[@]}" --conns "$HOLD_CONNS" --size "$PP_SIZE" \
                  --idle-ms "$HOLD_IDLE_MS" --duration "$HOLD_BUDGET" --server-pid "$SERVER_PID" "${probe[@]}" | record ;;
    esac
    perf_end
  done
  stop_server
}

run_http() { # NAME ROUND
  local name=$1 round=$2 c
  case " $MODES " in *" http "*) ;; *) return 0 ;; esac
  [ "$TRANSPORT" = tcp ] || { log "http skipped: wrk speaks TCP only"; return 0; }
  if ! start_server "$name" http "$round"; then
    for c in $WRK_CONNS; do failed_line http "$name" "$c" server_failed | record; done
    return 0
  fi
  log "$name http on :$PORT (pid $SERVER_PID), warming up ${JVM_WARMUP}s"
  timeout -k 2 $((${JVM_WARMUP%.*} + 15)) wrk -t1 -c50 -d"${JVM_WARMUP%.*}s" "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
  for c in $WRK_CONNS; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      failed_line http "$name" "$c" server_died | record
      continue
    fi
    perf_begin "$name" "http-c$c" 1
    wrk_run "$name" "$c" "${DURATION%.*}" | record
    perf_end
  done
  stop_server
}

# ------------------------------------------------------------------ tools and build
ensure_tools() {
  local missing=()
  if [ "$PERF" = 1 ] && ! command -v perf >/dev/null 2>&1; then
    log "PERF=1 needs perf (Debian: linux-perf)"
    exit 1
  fi
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing: ${missing[*]} (Debian packages; install them, e.g. sudo apt-get install ${missing[*]})"
    local m
    for m in "${missing[@]}"; do
      case "$m" in
        wrk) log "without wrk the http mode is skipped"; MODES=$(echo " $MODES " | sed 's/ http / /') ;;
        gnuplot-nox) log "without gnuplot no chart is drawn" ;;
        *) exit 1 ;;
      esac
    done
  fi
}

build() {
  if [ "$SKIP_BUILD" = 1 ]; then
    log "SKIP_BUILD=1: using the existing build"
  else
    log "building native parts (make -C bench)"
    make -s -C "$BENCH_DIR" >&2
    log "building the servers (mvn -q -pl bench -am package -DskipTests)"
    (cd "$REPO_DIR" && mvn -q -pl bench -am package -DskipTests) >&2
  fi
  [ -x "$LOADGEN" ] && [ -r "$JAR" ] || { log "build output missing ($LOADGEN, $JAR)"; exit 1; }
}

# ------------------------------------------------------------------ main
main() {
  ensure_tools
  build
  mkdir -p "$RESULTS" "$LOGS"
  local n_servers
  n_servers=$(echo "$SERVERS" | wc -w)
  # seconds per server and round: two warm-ups, three timed echo runs, wrk runs, starts and hold
  local per=$(( 2 * ${JVM_WARMUP%.*} + 3 * (${DURATION%.*} + 1) + ${DURATION%.*} * $(echo "$WRK_CONNS" | wc -w) + 7 ))
  log "QUICK=$QUICK rounds=$ROUNDS duration=${DURATION}s servers: $SERVERS"
  log "expect roughly $((per * n_servers * ROUNDS / 60 + 1)) minutes; raw lines go to $RAW"
  {
    echo "# bench/run.sh $STAMP QUICK=$QUICK ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP JVM_WARMUP=$JVM_WARMUP"
    echo "# TRANSPORT=$TRANSPORT SERVERS=$SERVERS MODES=$MODES JAVA_OPTS=$JAVA_OPTS C_THREADS=$C_THREADS POLLERS=$POLLERS PIN=$PIN PERF=$PERF PERF_SECONDS=$PERF_SECONDS"
    echo "# host: $(uname -srm), $(nproc) cpus, $("$JAVA" -version 2>&1 | head -1)"
    echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$RAW"
  local start=$SECONDS round name
  for round in $(seq 1 "$ROUNDS"); do
    ROUND=$round
    log "round $round/$ROUNDS"
    for name in $SERVERS; do
      run_echo "$name" "$round"
      run_http "$name" "$round"
    done
  done
  log "done in $((SECONDS - start)) s"
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW"
  local placement="$(nproc) cpus shared by client and servers"
  [ "$PIN" = 1 ] && placement="server pinned to CPU $SERVER_CPUS, load generator to CPU $CLIENT_CPUS (PIN=1)"
  {
    echo "# Benchmark summary $STAMP"
    echo
    echo "Medians over $ROUNDS round(s) of ${DURATION} s; ratio to $BASELINE in parentheses."
    echo "QUICK=$QUICK, $placement, loopback. Raw lines: raw-$STAMP.txt"
    echo "Load average (1, 5, 15 min) at start: $(sed -n 's/^# load average at start: //p' "$RAW"); at end: $(sed -n 's/^# load average at end: //p' "$RAW")."
    echo "Server CPU: user + system time of the server process over each measured window, per request"
    echo "(per MB, per connection). Per-round ratios to $BASELINE follow each median when ROUNDS > 1."
    echo
    "$BENCH_DIR/summarize.sh" "$RAW" --baseline "$BASELINE" --servers "$SERVERS"
  } >"$SUMMARY"
  cat "$SUMMARY" >&2
  log "summary: $SUMMARY"
  if command -v gnuplot >/dev/null 2>&1; then
    "$BENCH_DIR/plot.sh" "$RAW" --baseline "$BASELINE" --servers "$SERVERS" >&2 || log "plot failed (not fatal)"
  fi
}

main "$@"
