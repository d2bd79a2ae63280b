#!/usr/bin/env bash
# Summarizes a PERF=1 run of bench/run.sh: for each measured run that was profiled (stream,
# pingpong and http modes), the server's CPU per MB (stream) or per request (pingpong,
# http) split by where the profile put it, and the counts perf stat took over the same
# window, per MB or per request:
#
#   bench/perf-summary.sh bench/results/raw-<stamp>.txt
#
# Columns (shares of the server's samples, times its CPU per unit from the RESULT line):
#   sched      samples in finish_task_switch: switching the poller (event loop) thread
#              back in, mostly after a preemption; on a shared 2-core machine, how often
#              the load generator or another process took its core
#   kernel     the rest of the time inside system calls (the TCP work itself)
#   alloc      the JVM's allocation slow path (MemAllocator::allocate: zeroing new arrays,
#              first touch of heap pages), GC the GC threads
#   java       JIT-compiled Java code, self time
#   reads, sends, waits  read/recvfrom, sendto, epoll_wait/epoll_pwait2 calls of the I/O
#              thread per unit; units/turn is sends per epoll wait (work per poller turn)
# Per unit: per MB at the run's average rate over the profiled window (stream); per
# request counted as one sendto (pingpong and http: every server here answers each request
# with one send), which holds when the rate within the window differs from the run's.
#   preempt    the I/O thread's involuntary context switches per unit (/proc status)
#   sleeps     its voluntary context switches per unit (blocking in epoll_wait)
#   GCs        young GC pauses in the server's log (needs JAVA_OPTS with -Xlog:gc) and the
#              longest, over the server's whole life (warm-up included)
# Only perf reports are read: needs perf and the run's LOGS directory beside the raw file.
set -euo pipefail

RAW=${1:?usage: bench/perf-summary.sh bench/results/raw-<stamp>.txt}
LOGS="$(dirname "$RAW")/logs-$(basename "$RAW" .txt | sed 's/^raw-//')"
[ -d "$LOGS" ] || { echo "no $LOGS beside $RAW" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
PERF_SECONDS=$(sed -n 's/.*PERF_SECONDS=\([0-9.]*\).*/\1/p' "$RAW" | head -1)
PERF_SECONDS=${PERF_SECONDS:-5}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# share SYMBOL REPORT COLUMN: the percentage in column 1 (children) or 2 (self) of SYMBOL
share() {
  awk -v s="$1" -v c="$3" '{ sym = $0; sub(/^.*\] /, "", sym); if (sym == s) { v = $c; gsub("%", "", v); print v; exit } }' <<<"$2"
}

# io_count STAT PATTERN COLUMN: the I/O thread's count of an event (poller, event loop, C server)
io_count() {
  awk -v p="$2" -v c="$3" '$0 ~ p && $1 ~ /pekko-kq-poller|multiThreadIoEv|c-epoll-server/ { s += $c } END { print s + 0 }' "$1"
}

printf '| server | round | rate | CPU | sched | kernel | alloc | GC | java | reads | sends | waits | units/turn | preempt | sleeps | p99 us | GCs (max ms) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n'
{ grep -E '^RESULT mode=(stream|pingpong|http) .*status=ok' "$RAW" || true; } | while read -r line; do
  mode=$(field mode "$line"); server=$(field server "$line"); round=$(field round "$line")
  case "$mode" in
    stream) unit=MB; rate=$(field mb_per_s "$line"); cpu=$(field cpu_us_per_mb "$line"); tag=stream ;;
    pingpong) unit=req; rate=$(field reqs_per_s "$line"); cpu=$(field cpu_us_per_req "$line"); tag=pingpong ;;
    http) unit=req; rate=$(field reqs_per_s "$line"); cpu=$(field cpu_us_per_req "$line"); tag="http-c$(field conns "$line")" ;;
  esac
  data="$LOGS/$server-$tag-r$round.perf.data"; stat="$LOGS/$server-$tag-r$round.perf.stat"
  [ -r "$data" ] && [ -r "$stat" ] && [ -n "$cpu" ] || continue
  children=$(perf report -i "$data" --stdio --children --sort sym -g none 2>/dev/null)
  threads=$(perf report -i "$data" --stdio --no-children --sort comm -g none 2>/dev/null)
  dsos=$(perf report -i "$data" --stdio --no-children --sort dso -g none 2>/dev/null)
  sched=$(share finish_task_switch.isra.0 "$children" 2)
  syscalls=$(share entry_SYSCALL_64_after_hwframe "$children" 1)
  alloc=$(share MemAllocator::allocate "$children" 1)
  gc=$(awk '/GC Thread|G1 / { gsub("%", "", $1); s += $1 } END { print s + 0 }' <<<"$threads")
  java=$(awk '/\[JIT\]/ { gsub("%", "", $1); s += $1 } END { print s + 0 }' <<<"$dsos")
  reads=$(io_count "$stat" 'sys_enter_(read|recvfrom) ' 2)
  sends=$(io_count "$stat" 'sys_enter_sendto ' 2)
  waits=$(io_count "$stat" 'sys_enter_epoll_(wait|pwait2) ' 2)
  preempt=$(io_count "$stat" 'involuntary' 5)
  sleeps=$(io_count "$stat" 'involuntary' 3)
  gcs="-"
  log="$LOGS/$server-$([ "$mode" = http ] && echo http || echo echo)-r$round.log"
  if grep -q 'Pause Young' "$log" 2>/dev/null; then
    gcs="$(grep -c 'Pause Young' "$log") ($(grep 'Pause Young' "$log" | sed 's/.* \([0-9.]*\)ms$/\1/' | sort -n | tail -1))"
  fi
  p99=$(field p99_us "$line")
  awk -v s="$server" -v m="$mode" -v r="$round" -v u="$unit" -v rate="$rate" -v cpu="$cpu" -v secs="$PERF_SECONDS" \
      -v sched="${sched:-0}" -v sys="${syscalls:-0}" -v alloc="${alloc:-0}" -v gc="$gc" -v java="$java" \
      -v reads="$reads" -v sends="$sends" -v waits="$waits" -v pre="$preempt" -v sl="$sleeps" -v p99="${p99:--}" -v gcs="$gcs" 'BEGIN {
    units = (m == "stream" || sends == 0) ? rate * secs : sends  # MB or requests in the profiled window
    printf "| %s %s | %s | %.0f %s/s | %.1f us/%s | %.1f (%.0f%%) | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f | %.1f | %.3f | %.3f | %s | %s |\n",
      s, m, r, rate, u, cpu, u, cpu * sched / 100, sched, cpu * (sys - sched) / 100, cpu * alloc / 100, cpu * gc / 100,
      cpu * java / 100, reads / units, sends / units, waits / units, (waits ? sends / waits : 0), pre / units, sl / units, p99, gcs
  }'
done
