#!/usr/bin/env bash
# cross/build.sh - builds the release libpekkokq for every platform the jar carries, with
# one pinned toolchain (Zig 0.11 from npm, cross/zig.sh), whose `zig cc` carries clang, a
# linker, musl, the macOS SDK headers and glibc stubs of any version. Run by
# native/pom.xml when -Pcross or -Prelease is on:
#
#   cross/build.sh <classes-dir> <build-dir> <debug-dir> <java-home> [required]
#     -> <classes-dir>/META-INF/native/<platform>/libpekkokq.{so,dylib}  (stripped)
#        or pekkokq.dll (Windows)
#     -> <debug-dir>/META-INF/native/<platform>/libpekkokq.so.debug     (ELF)
#        or pekkokq.pdb (Windows: zig's linker writes the debug information apart)
#   then cross/check-libs.sh on the result (glibc <= 2.17, musl without glibc, stripped).
#
# linux-x86_64 included: the host's gcc build (`make lib`, run first by the pom) is
# REPLACED in the jar by the glibc 2.17 one built here, so what ships loads on old
# distributions whatever glibc the build machine has; the Java tests of a -Pcross build
# then run on the library that ships. Without -Pcross the jar carries the host build.
#
# Environment (and cross/zig.sh's: ZIG, KQ_CROSS_TOOLS):
#   KQ_CROSS_REQUIRED=true   (or a 5th argument "true", -Dkq.cross.required=true in
#                            Maven, always under -Prelease) a missing toolchain fails the
#                            build (CI, releases); by default it is reported and skipped,
#                            so a Linux build without npm stays green.
# A toolchain that is there but fails to COMPILE always fails the build: that is a bug.
set -uo pipefail

if (($# < 4 || $# > 5)); then
  echo "usage: $0 <classes-dir> <build-dir> <debug-dir> <java-home> [required]" >&2
  exit 2
fi
classes=$1 build=$2 debug=$3 java_home=$4
[ "${5:-false}" = true ] && KQ_CROSS_REQUIRED=true
cross_dir=$(cd "$(dirname "$0")" && pwd)
native_dir=$(dirname "$cross_dir")

# platform            zig target               UNAME_S  link flags
#  - glibc 2.17: the oldest aarch64 glibc (and JDK 17's own floor); zig links against
#    stubs of exactly that version, so no newer symbol version can creep in.
#  - exports.map (all Linux builds): export JNI_OnLoad only; zig's glibc < 2.33 stubs
#    (libc_nonshared: fstat, errno) would otherwise be exported, see exports.map.
#  - musl: a shared library against musl's libc.so (NEEDED libc.so), for Alpine and
#    other musl systems; NativeLibrary picks linux-<arch>-musl there.
#  - macOS 11.0 is the oldest SDK zig 0.11 ships; every arm64 Mac runs 11 or later.
#    -Wl,-S leaves out the debug map (build-machine .o paths), see split-debug.sh.
#    @rpath install name: the dylib carries no build-machine path.
#  - Windows (x86_64-windows-gnu: zig's mingw-w64 headers and import libraries, the
#    system msvcrt.dll as C runtime, nothing of a compiler runtime to ship beside it):
#    pekkokq.dll with the iocp backend (the Makefile's UNAME_S=Windows). JNI_OnLoad is
#    exported with dllexport (src/jni/glue.h); the Unix jni_md.h below gives the same
#    types on 64-bit Windows (jint 32 bits, jlong 64 bits).
#  - JNI_OS=linux for macOS: OpenJDK has ONE jni_md.h for every Unix
#    (src/java.base/unix/native/include/jni_md.h), installed under include/linux on
#    Linux and include/darwin on macOS, so the running JDK's copy is the right one.
linux_ld="-Wl,--version-script,$cross_dir/exports.map"
macos_ld="-Wl,-install_name,@rpath/libpekkokq.dylib -Wl,-S"
targets=(
  "linux-x86_64|x86_64-linux-gnu.2.17|Linux|$linux_ld"
  "linux-aarch64|aarch64-linux-gnu.2.17|Linux|$linux_ld"
  "linux-x86_64-musl|x86_64-linux-musl|Linux|$linux_ld"
  "linux-aarch64-musl|aarch64-linux-musl|Linux|$linux_ld"
  "osx-x86_64|x86_64-macos.11.0|Darwin|$macos_ld"
  "osx-aarch64|aarch64-macos.11.0|Darwin|$macos_ld"
  "windows-x86_64|x86_64-windows-gnu|Windows|"
)
all_platforms=$(printf '%s\n' "${targets[@]}" | cut -d'|' -f1 | paste -sd,)

# No toolchain: say exactly what failed, then skip (or fail when required).
mkdir -p "$build" || exit 1
if ! zig=$("$cross_dir/zig.sh" 2>"$build/zig-error.txt"); then
  echo "cross-build: SKIPPED, no Zig toolchain: $(cat "$build/zig-error.txt")" >&2
  echo "cross-build: not built: $all_platforms; the jar carries the host's own build" \
    "only (set ZIG=<zig 0.11> or fix the above)" >&2
  if [ "${KQ_CROSS_REQUIRED:-false}" = true ]; then
    echo "cross-build: FAILED because KQ_CROSS_REQUIRED=true" >&2
    exit 1
  fi
  exit 0
fi
export ZIG_GLOBAL_CACHE_DIR ZIG_LOCAL_CACHE_DIR
ZIG_GLOBAL_CACHE_DIR=$("$cross_dir/zig.sh" cache-dir)
ZIG_LOCAL_CACHE_DIR=${ZIG_LOCAL_CACHE_DIR:-$ZIG_GLOBAL_CACHE_DIR}

status=0
for t in "${targets[@]}"; do
  IFS='|' read -r platform target uname_s ldflags <<<"$t"
  echo "cross-build: $platform ($target)" >&2
  out=$build/$platform/lib
  if ! make -s -C "$native_dir" lib UNAME_S="$uname_s" JNI_OS=linux LDFLAGS="$ldflags" \
      CC="$zig cc -target $target" JAVA_HOME="$java_home" \
      BUILD="$build/$platform" OUT_DIR="$out"; then
    echo "cross-build: FAILED to compile libpekkokq for $platform with $zig" >&2
    status=1
    continue
  fi
  for lib in "$out"/libpekkokq.* "$out"/pekkokq.dll; do
    [ -f "$lib" ] || continue
    "$cross_dir/split-debug.sh" "$zig objcopy" "$lib" \
      "$classes/META-INF/native/$platform" "$debug/META-INF/native/$platform" ||
      { echo "cross-build: FAILED to strip $lib" >&2; status=1; }
  done
  # A DLL's debug information is already apart, in the .pdb zig's linker wrote.
  if [ -f "$out/pekkokq.pdb" ]; then
    cp "$out/pekkokq.pdb" "$debug/META-INF/native/$platform/" || status=1
  fi
done
((status == 0)) || exit $status
"$cross_dir/check-libs.sh" "$classes/META-INF/native" "$debug/META-INF/native" --require "$all_platforms"
