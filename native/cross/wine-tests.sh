#!/usr/bin/env bash
# cross/wine-tests.sh - runs a Windows test program (a mingw-w64 .exe) under wine,
# headless, and decides from its output, not from wine's exit status:
#
#   cross/wine-tests.sh <wine-prefix-dir> <ok-line> <program.exe> [arguments...]
#
# (the C tests: ok-line "kq-tests: OK"; the DLL load check: "jni-load: OK").
#
# Why not the exit status: under wine a crash runs winedbg and can exit 0, and Windows
# exit codes reach Linux cut to 8 bits. So winedbg is disabled (WINEDLLOVERRIDES), the
# output is kept, and the run passes only when its last line is <ok-line> (test/runner.c
# prints "kq-tests: OK" when every test ran and passed) and the exit status is 0 too.
# The prefix is made once (wineboot -i, about 25 s) and reused; wineserver is waited
# for (wineserver -w) so no wine process outlives the run. Debian: apt-get install
# wine wine64 (wine 8 runs 64-bit programs with `wine`).
set -uo pipefail

(($# >= 3)) || { echo "usage: $0 <wine-prefix-dir> <ok-line> <program.exe> [arguments...]" >&2; exit 2; }
prefix=$1 ok=$2 exe=$3
shift 3
wine=$(command -v wine) ||
  { echo "check-wine: wine not found (Debian: apt-get install wine wine64)" >&2; exit 1; }
[ -f "$exe" ] || { echo "check-wine: $exe not found" >&2; exit 1; }
# Debian keeps wineserver out of PATH, in /usr/lib/wine.
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES='winedbg.exe=d;mscoree=d;mshtml=d'
WINEPREFIX=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
unset DISPLAY WAYLAND_DISPLAY # headless: no window, no X server needed

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "check-wine: making the wine prefix $WINEPREFIX (once)"
  "$wine" wineboot -i >"$WINEPREFIX/wineboot.log" 2>&1 ||
    { cat "$WINEPREFIX/wineboot.log" >&2; echo "check-wine: wineboot -i failed" >&2; exit 1; }
  "$wineserver" -w
fi

log=${exe%.exe}-wine.log
echo "check-wine: $wine $exe (wine $("$wine" --version 2>/dev/null))"
# A hung test must not hang CI: the runner's own tests are bounded, this bounds wine.
timeout 600 "$wine" "$exe" "$@" 2>&1 | tr -d '\r' | tee "$log"
status=${PIPESTATUS[0]}
"$wineserver" -w
last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
if [ "$status" = 0 ] && [ "$last" = "$ok" ]; then
  echo "check-wine: passed (last line \"$last\", exit status $status)"
  exit 0
fi
echo "check-wine: FAILED (exit status $status, last line \"$last\"; wine's status alone is" \
  "not trusted, the program must print \"$ok\" last)" >&2
exit 1
