#!/usr/bin/env bash
# cross/aarch64-jvm-tests.sh - runs the native and poller Java tests (the test classes of
# packages io.pekkokq.sys and io.pekkokq.poll that call native code; the pure-Java ones,
# listed at the end, are left out) on an aarch64 JDK under QEMU user mode, so the
# linux-aarch64 libpekkokq the jar ships (glibc 2.17 build) is loaded and executed by a
# real aarch64 JVM. Run from the repository root:
#
#   native/cross/aarch64-jvm-tests.sh
#
# Needs qemu-aarch64-static (Debian: qemu-user-static), apt-get (Debian's arm64
# packages) and the -Pcross toolchain. The aarch64 JDK is Debian's
# openjdk-17-jre-headless:arm64 with the four libraries it needs at start-up (libc6,
# libgcc-s1, libstdc++6, zlib1g), unpacked into a private root with `apt-get download` +
# `dpkg-deb -x`, through a private apt state: the machine's own dpkg architectures and
# package lists are left untouched. It is kept in KQ_AARCH64_JDK_DIR (default
# ~/.cache/pekko-kq/aarch64-jdk17, about 200 MB unpacked); the first run downloads 46 MB.
# Maven itself runs on the host JDK; Surefire forks the test JVM through a wrapper that
# starts the aarch64 `java` under qemu-aarch64-static with -L <root>.
#
# Two things QEMU user mode cannot do here, worked around: the emulated JVM cannot exec()
# an aarch64 binary (the kernel would need a binfmt_misc handler for aarch64, which this
# container lacks). So the JVM is told -Djdk.lang.Process.launchMechanism=VFORK (the
# default launches through the aarch64 `jspawnhelper`; with VFORK a test's `kill` is the
# host's own x86_64 binary, which the kernel runs natively), and -Dkq.test.java=<the
# wrapper below> for the tests that start a child JVM (NativeLibraryTest): the wrapper is
# a host shell script that starts the aarch64 java under QEMU again.
# A third it does not translate: the multicast join (ENOPROTOOPT); -Dkq.test.qemuUser=true
# lets DatagramSocketTest skip just that case.
set -euo pipefail
cd "$(dirname "$0")/../.." # the repository root: Maven runs from there

root_dir=${KQ_AARCH64_JDK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-kq/aarch64-jdk17}
qemu=${QEMU_AARCH64:-qemu-aarch64-static}
packages=(openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g)
jvm_home=usr/lib/jvm/java-17-openjdk-arm64

command -v "$qemu" >/dev/null 2>&1 ||
  { echo "aarch64-jvm-tests: $qemu not found (Debian: apt-get install qemu-user-static)" >&2; exit 1; }

# A private apt state that knows only arm64: `apt-get download` then fetches arm64
# packages without `dpkg --add-architecture` on this machine.
prepare_root() {
  local state=$root_dir.apt tmp
  rm -rf "$state" && mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
  : >"$state/status"
  local apt=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
    -o "Dir::State::status=$state/status")
  echo "aarch64-jvm-tests: fetching ${packages[*]} (arm64) into $root_dir" >&2
  apt-get "${apt[@]}" update -qq
  tmp=$(mktemp -d "$root_dir.tmp.XXXXXX")
  (cd "$state" && apt-get "${apt[@]}" download -qq "${packages[@]}")
  for deb in "$state"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  # Surefire reads the JDK's release file beside bin/ (its Java version).
  mkdir -p "$tmp/jdk/bin"
  cp "$tmp/root/$jvm_home/release" "$tmp/jdk/release"
  cat >"$tmp/jdk/bin/java" <<EOF
#!/bin/sh
# The aarch64 JDK of $root_dir/root, under QEMU user mode (cross/aarch64-jvm-tests.sh).
exec $qemu -L "$root_dir/root" "$root_dir/root/$jvm_home/bin/java" "\$@"
EOF
  chmod +x "$tmp/jdk/bin/java"
  rm -rf "$root_dir" "$state"
  mv -T "$tmp" "$root_dir"
}

java=$root_dir/jdk/bin/java
[ -x "$java" ] || prepare_root
version=$("$java" -version 2>&1) || { echo "aarch64-jvm-tests: the aarch64 JDK does not start: $version" >&2; exit 1; }
arch=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *os.arch = //p')
[ "$arch" = aarch64 ] || { echo "aarch64-jvm-tests: $java reports os.arch=$arch, not aarch64" >&2; exit 1; }
echo "aarch64-jvm-tests: $(echo "$version" | head -n 1), os.arch=$arch, under $qemu" >&2

# Pure Java (platform names, ELF/Mach-O parsing, data structures): nothing native to run.
pure_java='!NativeLoaderPlatformTest,!CrossBuiltLibrariesTest,!SlotTableTest,!TimerQueueTest'
# -Pcross: the jar's linux-aarch64 library is the release one (glibc 2.17); the C tests
# already ran in the normal build, so only Surefire runs here.
mvn -B -Pcross -pl native,pekko-kq test \
  -Dkq.c.tests.skip=true \
  -Djvm="$java" \
  -Dkq.test.jvmArgs="-Djdk.lang.Process.launchMechanism=VFORK -Dkq.test.java=$java -Dkq.test.qemuUser=true" \
  -Dtest="io.pekkokq.sys.*Test,io.pekkokq.poll.*Test,$pure_java" \
  -Dsurefire.failIfNoSpecifiedTests=false
