#!/usr/bin/env bash
# Medians of the RESULT lines in a raw file written by bench/run.sh.
#
#   bench/summarize.sh RAW [--tsv] [--baseline NAME] [--servers "a b c"]
#
# Default output: a Markdown table, one row per measurement, one column per
# server (in --servers order, else order of appearance), each cell the median
# over rounds and, when the baseline has a value, the ratio to the baseline.
# --tsv prints "metric<TAB>server<TAB>median<TAB>runs<TAB>better" instead
# (better: h = higher is better, l = lower is better); plot.sh uses it.
# Lines carrying round=N (bench/run.sh writes it) also give, after each median's ratio,
# the ratio to the baseline in each round: "1234 (1.10x; r: 1.08 1.12 1.10)".
set -euo pipefail

raw=""
tsv=0
baseline="pekko-streams"
servers=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tsv) tsv=1 ;;
    --baseline) baseline="$2"; shift ;;
    --servers) servers="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) raw="$1" ;;
  esac
  shift
done
[ -n "$raw" ] && [ -r "$raw" ] || { echo "usage: $0 RAW [--tsv] [--baseline NAME] [--servers LIST]" >&2; exit 2; }

awk -v tsv="$tsv" -v baseline="$baseline" -v order="$servers" '
function field(name,   i, kv) {
  for (i = 2; i <= NF; i++) {
    if (index($i, name "=") == 1) return substr($i, length(name) + 2)
  }
  return ""
}
function add(metric, server, value, better) {
  if (value == "" || value < 0) return
  if (!(metric in mseen)) { mseen[metric] = 1; metrics[++nm] = metric; mbetter[metric] = better }
  if (!(server in sseen)) { sseen[server] = 1; appear[++na] = server }
  k = metric SUBSEP server
  n[k]++
  v[k, n[k]] = value + 0
  if (round != "") {
    byround[k, round] = value + 0
    if (!(round in rseen)) { rseen[round] = 1; rounds[++nr] = round }
  }
}
function perround(k, kb,   i, r, s) { # " r: 1.08 1.12" ratios per round, or ""
  if (nr < 2) return ""
  s = ""
  for (i = 1; i <= nr; i++) {
    r = rounds[i]
    if ((k, r) in byround && (kb, r) in byround && byround[kb, r] > 0)
      s = s sprintf(" %.2f", byround[k, r] / byround[kb, r])
    else
      s = s " -"
  }
  return "; r:" s
}
function median(k,   i, j, c, t, a) {
  c = n[k]
  for (i = 1; i <= c; i++) a[i] = v[k, i]
  for (i = 2; i <= c; i++) {            # insertion sort: a few rounds at most
    t = a[i]; j = i - 1
    while (j >= 1 && a[j] > t) { a[j + 1] = a[j]; j-- }
    a[j + 1] = t
  }
  if (c % 2) return a[(c + 1) / 2]
  return (a[c / 2] + a[c / 2 + 1]) / 2
}
function fmt(x) {
  if (x >= 100) return sprintf("%.0f", x)
  if (x >= 10) return sprintf("%.1f", x)
  return sprintf("%.2f", x)
}
$1 == "RESULT" {
  mode = field("mode"); server = field("server"); c = field("conns"); round = field("round")
  st = field("status")
  if (server != "" && !(server in sseen)) { sseen[server] = 1; appear[++na] = server }
  e = field("errors"); if (e != "") errsum[server] += e
  if (st != "" && st != "ok" && st != "count") bad[server]++  # count: udp ended by --max-datagrams
  if (mode == "pingpong") {
    m = "pingpong " c " x " field("size") " B"
    add(m ", req/s", server, field("reqs_per_s"), "h")
    add(m ", p99 us", server, field("p99_us"), "l")
    add(m ", server CPU us/req", server, field("cpu_us_per_req"), "l")
  } else if (mode == "stream") {
    add("stream " c " x " field("window") " B in flight, MB/s", server, field("mb_per_s"), "h")
    add("stream " c " x " field("window") " B in flight, server CPU us/MB", server, field("cpu_us_per_mb"), "l")
  } else if (mode == "churn") {
    add("churn " c " concurrent, conn/s", server, field("conns_per_s"), "h")
    add("churn " c " concurrent, server CPU us/conn", server, field("cpu_us_per_conn"), "l")
  } else if (mode == "hold") {
    add("hold " c " idle, RSS growth KiB", server, field("rss_growth_kb"), "l")
    if (field("probe_growth_kb") != "" && (field("probe_growth_kb") + 0) >= 0)
      add("hold " c " idle, live heap growth KiB (after GC)", server, field("probe_growth_kb"), "l")
    add("hold " c " idle, echoed", server, field("echoed"), "h")
  } else if (mode == "udp") {
    m = "udp " c " sockets x " field("window") " x " field("size") " B"
    add(m ", datagrams/s", server, field("dgrams_per_s"), "h")
    add(m ", loss %", server, field("loss_pct"), "l")
    add(m ", p99 us", server, field("p99_us"), "l")
    add(m ", server CPU us/datagram", server, field("cpu_us_per_dgram"), "l")
  } else if (mode == "http") {
    add("http wrk -c" c ", req/s", server, field("reqs_per_s"), "h")
    add("http wrk -c" c ", p99 us", server, field("p99_us"), "l")
    add("http wrk -c" c ", server CPU us/req", server, field("cpu_us_per_req"), "l")
  }
}
END {
  ns = split(order, cols, " ")
  if (ns == 0) { for (i = 1; i <= na; i++) cols[i] = appear[i]; ns = na }
  if (tsv) {
    for (i = 1; i <= nm; i++)
      for (j = 1; j <= ns; j++) {
        k = metrics[i] SUBSEP cols[j]
        if (n[k] > 0) printf "%s\t%s\t%s\t%d\t%s\n", metrics[i], cols[j], median(k), n[k], mbetter[metrics[i]]
      }
    exit
  }
  printf "| measurement |"
  for (j = 1; j <= ns; j++) printf " %s |", cols[j]
  printf "\n|---|"
  for (j = 1; j <= ns; j++) printf "---:|"
  printf "\n"
  for (i = 1; i <= nm; i++) {
    m = metrics[i]
    printf "| %s%s |", m, (mbetter[m] == "l" ? " (lower is better)" : "")
    kb = m SUBSEP baseline
    b = (n[kb] > 0) ? median(kb) : ""
    for (j = 1; j <= ns; j++) {
      k = m SUBSEP cols[j]
      if (n[k] == 0) { printf " - |"; continue }
      x = median(k)
      if (b != "" && b > 0) printf " %s (%.2fx%s) |", fmt(x), x / b, perround(k, kb)
      else printf " %s |", fmt(x)
    }
    printf "\n"
  }
  printf "| errors, all runs (sum) |"
  for (j = 1; j <= ns; j++) printf " %d |", errsum[cols[j]] + 0
  printf "\n| runs not ok (failed/stalled) |"
  for (j = 1; j <= ns; j++) printf " %d |", bad[cols[j]] + 0
  printf "\n"
}
' "$raw"
