#!/usr/bin/env bash
# Runs the JMH microbenchmarks of bench/src/main/java/io/pekkokq/bench/jmh with bounded
# settings (one fork, 3 x 1 s warm-up and 8 x 1 s measured iterations each: about 6 minutes
# in all) and writes
#   bench/results/jmh-<timestamp>.txt   JMH's output: JMH's table (mean +- error), then a
#                                       table of the median and the minimum of the measured
#                                       iterations, which a machine shared with other work
#                                       disturbs less than the mean
#
#   bench/jmh.sh                         all benchmarks
#   bench/jmh.sh ReadWrite               only those matching a regexp (JMH's include)
#   JMH_OPTS="-wi 5 -i 10" bench/jmh.sh  more iterations (later options win)
#
# Builds target/pekko-kq-bench.jar first when it is missing or older than a source file
# (SKIP_BUILD=1 never builds).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
JAR="$BENCH_DIR/target/pekko-kq-bench.jar"
JAVA=${JAVA:-java}
MVN=${MVN:-mvn}
SKIP_BUILD=${SKIP_BUILD:-0}
# -f 1: one forked JVM per benchmark; 3 x 1 s warm-up, 8 x 1 s measured iterations.
SETTINGS=${SETTINGS:-"-f 1 -wi 3 -w 1s -i 8 -r 1s -tu ns -bm avgt"}
JMH_OPTS=${JMH_OPTS:-}
# The forked JVMs get a fixed heap, as the servers in run.sh do.
JVM_ARGS=${JVM_ARGS:-"-Xms1g -Xmx1g"}

needs_build() {
  [ -f "$JAR" ] || return 0
  [ -n "$(find "$BENCH_DIR/src" "$BENCH_DIR/pom.xml" "$REPO_DIR/pekko-kq/src/main" \
        "$REPO_DIR/native/src" "$REPO_DIR/native/include" -newer "$JAR" -type f -print -quit 2>/dev/null)" ]
}

if [ "$SKIP_BUILD" != 1 ] && needs_build; then
  echo "building $JAR" >&2
  (cd "$REPO_DIR" && $MVN -B -q -pl bench -am package -DskipTests)
fi

mkdir -p "$BENCH_DIR/results"
OUT="$BENCH_DIR/results/jmh-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "# bench/jmh.sh $* on $(hostname), $(nproc) cores, $(date -Is)"
  echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $("$JAVA" -version 2>&1 | head -1)"
  echo "# SETTINGS=$SETTINGS JMH_OPTS=$JMH_OPTS JVM_ARGS=$JVM_ARGS"
} > "$OUT"
# shellcheck disable=SC2086
"$JAVA" -cp "$JAR" org.openjdk.jmh.Main $SETTINGS -jvmArgs "$JVM_ARGS" $JMH_OPTS "$@" 2>&1 | tee -a "$OUT"
echo "# load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"

# Median and minimum of each benchmark's measured iterations (ns/op), from JMH's own lines.
awk '
  /^# Benchmark: / { name = $3; sub(/^io\.pekkokq\.bench\.jmh\./, "", name); params = "" }
  /^# Parameters: / { params = $0; sub(/^# Parameters: /, "", params) }
  /^# Warmup Iteration/ { next }
  /^Iteration +[0-9]+: / {
    key = name (params == "" ? "" : " " params)
    if (!(key in n)) order[++keys] = key
    v[key, ++n[key]] = $3
  }
  END {
    if (keys == 0) exit
    printf "\n%-62s %12s %12s %4s\n", "benchmark (params)", "median ns/op", "min ns/op", "n"
    for (k = 1; k <= keys; k++) {
      key = order[k]; m = n[key]
      for (i = 1; i <= m; i++) a[i] = v[key, i] + 0
      for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
      printf "%-62s %12.1f %12.1f %4d\n", key, med, a[1], m
    }
  }' "$OUT" | tee -a "$OUT"
echo "results: $OUT" >&2
