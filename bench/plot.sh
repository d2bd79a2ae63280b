#!/usr/bin/env bash
# Draws a PNG bar chart from a raw file of bench/run.sh: for every throughput
# measurement (higher is better), each server's median as a ratio to the
# baseline server, side by side.
#
#   bench/plot.sh RAW [OUT.png] [--baseline NAME] [--servers "a b c"]
#
# OUT defaults to RAW with raw- replaced by chart- and .txt by .png.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
raw="" out="" baseline="pekko-streams" servers=""
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline="$2"; shift ;;
    --servers) servers="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) if [ -z "$raw" ]; then raw="$1"; else out="$1"; fi ;;
  esac
  shift
done
[ -n "$raw" ] && [ -r "$raw" ] || { echo "usage: $0 RAW [OUT.png] [--baseline NAME]" >&2; exit 2; }
command -v gnuplot >/dev/null 2>&1 || { echo "gnuplot is missing (Debian: apt-get install gnuplot-nox)" >&2; exit 1; }
if [ -z "$out" ]; then
  out="$(dirname "$raw")/$(basename "$raw" .txt | sed 's/^raw-/chart-/').png"
fi
if [ -z "$servers" ]; then # the order of the raw file's header, else of appearance
  servers=$(sed -n 's/^# .*SERVERS=\([^=]*\) MODES=.*/\1/p' "$raw" | head -1)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BENCH_DIR/summarize.sh" "$raw" --tsv --baseline "$baseline" --servers "$servers" >"$tmp/medians.tsv"

# Table for gnuplot: one row per throughput metric, one column per server, values = ratio to baseline.
awk -F'\t' -v baseline="$baseline" -v order="$servers" '
  $5 == "h" && $1 !~ /echoed/ {
    if (!($1 in seen)) { seen[$1] = 1; m[++nm] = $1 }
    if (!($2 in sseen)) { sseen[$2] = 1; app[++na] = $2 }
    val[$1, $2] = $3
  }
  END {
    ns = split(order, cols, " ")
    if (ns == 0) { for (i = 1; i <= na; i++) cols[i] = app[i]; ns = na }
    printf "metric"
    for (j = 1; j <= ns; j++) printf "\t%s", cols[j]
    printf "\n"
    for (i = 1; i <= nm; i++) {
      b = val[m[i], baseline]
      label = m[i]
      printf "%s", label
      for (j = 1; j <= ns; j++) {
        x = val[m[i], cols[j]]
        if (x == "" || b == "" || b + 0 == 0) printf "\t-"
        else printf "\t%.3f", x / b
      }
      printf "\n"
    }
  }' "$tmp/medians.tsv" >"$tmp/ratios.dat"

if ! awk -F'\t' 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "-") found = 1 } END { exit !found }' "$tmp/ratios.dat"; then
  echo "no throughput values for baseline $baseline in $raw; try --baseline NAME" >&2
  exit 1
fi
ncols=$(head -1 "$tmp/ratios.dat" | awk -F'\t' '{ print NF }')
[ "$ncols" -gt 1 ] && [ "$(wc -l <"$tmp/ratios.dat")" -gt 1 ] || { echo "nothing to plot in $raw" >&2; exit 1; }

term="png"
if gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo; then term="pngcairo"; fi

gnuplot <<GP
set terminal $term size 1200,650
set output "$out"
set datafile separator "\t"
set datafile missing "-"
set title "Throughput relative to $baseline (medians; higher is better)\n$(basename "$raw")" noenhanced
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set ylabel "ratio to $baseline"
set xtics rotate by -20 left noenhanced
set key outside right top noenhanced
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb "#555555"
plot for [i=2:$ncols] "$tmp/ratios.dat" using i:xticlabels(stringcolumn(1)) title columnheader(i)
GP
echo "chart: $out"
