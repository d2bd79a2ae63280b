#!/usr/bin/env bash
# Prints the live Java heap of JVM process $1 in KiB, after a full GC: what the server's
# objects really hold, unlike RSS, which also counts heap pages merely touched once.
set -euo pipefail
pid=$1
jcmd "$pid" GC.run >/dev/null
jcmd "$pid" GC.heap_info | awk '/heap/ && /used/ {
  for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[^0-9]/, "", v); print v; exit }
}'
