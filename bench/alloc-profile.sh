#!/usr/bin/env bash
# Allocation per request of one bench server under ping-pong, from a JFR recording:
# bytes allocated by all of the server's threads per echoed request, and the allocation
# samples' weight by class (the share of allocation pressure each type takes).
#
#   bench/alloc-profile.sh [SERVER [SECONDS]]
#     SERVER   a run.sh server name: pekko-kq-actor (default), pekko-kq-streams,
#              netty-epoll, netty-epoll-1, pekko-classic, pekko-streams
#     SECONDS  recorded seconds of load (default 5), after 3 s of unrecorded warm-up
#   JAR=<bench jar> bench/alloc-profile.sh ...   profile another build (e.g. an older commit)
#
# Allocation per request does not depend on how busy the machine is (unlike req/s), so
# it can be compared across builds and machines. Needs bench/run.sh's build (or SKIP_BUILD
# semantics: it uses bench/build/loadgen and bench/target/pekko-kq-bench.jar as they are).
# Every run ends by itself: loadgen is bounded, the server is killed at exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER=${1:-pekko-kq-actor}
SECONDS_RECORDED=${2:-5}
JAR=${JAR:-$BENCH_DIR/target/pekko-kq-bench.jar}
LOADGEN=$BENCH_DIR/build/loadgen
PORT=${PORT:-9790}
CONNS=${PP_CONNS:-50}
SIZE=${PP_SIZE:-64}
[ -x "$LOADGEN" ] && [ -r "$JAR" ] || {
  echo "missing $LOADGEN or $JAR: run bench/run.sh once (or make -C bench; mvn -pl bench -am package -DskipTests)" >&2
  exit 1
}

case "$SERVER" in
  pekko-kq-actor)   main=(-Dbench.handlers=poller io.pekkokq.bench.PekkoKqActorServer) ;;
  pekko-kq-streams) main=(-Dbench.handlers=poller io.pekkokq.bench.PekkoKqStreamsServer) ;;
  netty-epoll)      main=(io.pekkokq.bench.NettyEpollServer) ;;
  netty-epoll-1)    main=(-Dbench.netty.threads=1 io.pekkokq.bench.NettyEpollServer) ;;
  pekko-classic)    main=(io.pekkokq.bench.PekkoClassicTcpServer) ;;
  pekko-streams)    main=(io.pekkokq.bench.PekkoStreamsTcpServer) ;;
  *) echo "unknown server $SERVER" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/kq-alloc-XXXXXX)
pid=""
cleanup() { [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

: >"$work/server.log" # exists before the background server opens it
java -Xms1g -Xmx1g -cp "$JAR" "${main[@]}" "$PORT" echo >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -q "^READY $PORT\$" "$work/server.log" && break; sleep 0.1; done
grep -q "^READY $PORT\$" "$work/server.log" || { cat "$work/server.log" >&2; exit 1; }

timeout 20 "$LOADGEN" --port "$PORT" --mode pingpong --conns "$CONNS" --size "$SIZE" --duration 3 --warmup 0 \
  --label warmup >/dev/null
jcmd "$pid" JFR.start name=alloc settings=profile filename="$work/alloc.jfr" >/dev/null
result=$(timeout $((SECONDS_RECORDED + 20)) "$LOADGEN" --port "$PORT" --mode pingpong --conns "$CONNS" \
  --size "$SIZE" --duration "$SECONDS_RECORDED" --warmup 0 --label "$SERVER" | grep '^RESULT ')
jcmd "$pid" JFR.stop name=alloc >/dev/null
reqs=$(sed -n 's/.* reqs=\([0-9]*\) .*/\1/p' <<<"$result")

# Each thread's cumulative allocation is sampled at the recording's start and end
# (jdk.ThreadAllocationStatistics, everyChunk): the sum of the per-thread differences is
# what the server allocated while recording. The sampled allocations
# (jdk.ObjectAllocationSample, weight = the bytes each sample stands for), summed by class,
# give each type's share. jfr's JSON carries exact byte counts (its text rounds them).
jfr print --json --events jdk.ThreadAllocationStatistics,jdk.ObjectAllocationSample "$work/alloc.jfr" \
  >"$work/alloc.json"
python3 - "$work/alloc.json" "$SERVER" "$reqs" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))["recording"]["events"]
server, reqs = sys.argv[2], int(sys.argv[3] or 0)
first, last, by_class = {}, {}, {}
for e in events:
    v = e["values"]
    if e["type"] == "jdk.ThreadAllocationStatistics":
        t = v["javaThreadId"] if "javaThreadId" in v else str(v["thread"])
        first.setdefault(t, v["allocated"])
        last[t] = v["allocated"]
    else:
        c = v["objectClass"]["name"] if v.get("objectClass") else "?"
        by_class[c] = by_class.get(c, 0) + v["weight"]
total = sum(last[t] - first[t] for t in first)
print(f"{server}: {reqs} requests, {total} bytes allocated, {total / reqs if reqs else 0:.0f} bytes per request")
sampled = sum(by_class.values()) or 1
for c, w in sorted(by_class.items(), key=lambda kv: -kv[1])[:10]:
    print(f"{100 * w / sampled:6.1f}%  {c}")
PY
