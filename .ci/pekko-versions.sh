#!/usr/bin/env bash
# Pekko is the application's choice: pekko-kq declares it `provided` and is built and tested
# on ${pekko.version} (the root pom). For the older Pekko versions it supports (default
# 1.1.5 1.2.1) this checks that pekko-kq compiles against each, and runs its suites:
#   - on the first (oldest): the library exactly as built before this script ran (classes
#     compiled on the build's Pekko) on that Pekko's jars, which is what an application on it
#     gets; then a compile of main and test sources against it;
#   - on each other: main and tests compiled against it, and run.
# The suites: parity (classic Tcp, but its scale test; the scheduler contract,
# SchedulerParityTest), Streams, the poller dispatchers
# and the guard of Pekko's internal APIs (docs/compatibility.md). Needs a build first
# (`mvn -B -Pcross verify` in .ci/run); from the repository root:
# `bash .ci/pekko-versions.sh [VERSION...]`. Afterwards the next build compiles pekko-kq
# anew (its classes are deleted).
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
((${#versions[@]})) || versions=(1.1.5 1.2.1)
# (not ScaleParityTest: a thousand concurrent connects measure capacity, not the API, and
# under heavy load Pekko 1.1's own NIO side of it has reset connections)
suites='*Parity*,!ScaleParityTest,StreamTcp*,PollerDispatcherTest,OnPollerThreadTest,PekkoInternalApiTest,ReadArraysTest'
# native stays in the reactor (its library, never a stale installed one), without its C tests
mvn_test=(mvn -B -pl native,pekko-kq -Dkq.c.tests.skip=true
  -Dsurefire.failIfNoSpecifiedTests=false -Dtest="$suites")
compiled=(pekko-kq/target/classes pekko-kq/target/test-classes pekko-kq/target/maven-status)
trap 'rm -rf "${compiled[@]}"' EXIT

# the built library on the oldest Pekko: the main classes are not compiled again
# (maven.main.skip) and the test classes are up to date; the lifecycle runs, rather than
# surefire:test alone, so that the native module resolves from this reactor, never from a
# pekko-kq-native some other build installed in ~/.m2
"${mvn_test[@]}" test -Dmaven.main.skip=true -Dpekko.version="${versions[0]}"
echo "pekko-versions: the library built on the default Pekko passed on Pekko ${versions[0]}"

# compiled against each version (deleted first: the compiler would see nothing stale)
for v in "${versions[@]}"; do
  rm -rf "${compiled[@]}"
  if [ "$v" = "${versions[0]}" ]; then
    "${mvn_test[@]}" test-compile -Dpekko.version="$v"
    echo "pekko-versions: compiled on Pekko $v"
  else
    "${mvn_test[@]}" test -Dpekko.version="$v"
    echo "pekko-versions: compiled and passed on Pekko $v"
  fi
done
