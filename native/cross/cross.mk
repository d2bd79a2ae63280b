# cross/cross.mk - the C tests on the libcs and CPUs the jar ships for, beyond the host's
# glibc build (included by the Makefile; run from the repository root):
#
#   make -C native check-musl      the C tests as a static musl x86_64 binary, run here
#   make -C native check-aarch64   the C tests as a static musl aarch64 binary, run under
#                                  qemu-aarch64-static (Debian package qemu-user-static)
#
# Both compile with the same Zig 0.11 as the release libraries (cross/zig.sh, installed
# from npm on first use; ZIG=<path> for another). Static musl: the binary needs no libc of
# the machine running it, which is what lets QEMU user mode run it without an aarch64
# root filesystem. The same C sources, tests and epoll backend as `make check`; what
# differs is the C library (musl) and, for aarch64, the CPU (emulated). The first run
# builds musl's libc.a per target into Zig's cache (about a minute each); later runs
# take seconds. Objects go to $(BUILD)/musl-<arch>, apart from the host's.

QEMU_AARCH64 ?= qemu-aarch64-static
KQ_ZIG = $(shell cross/zig.sh)

.PHONY: check-musl check-aarch64

check-musl: KQ_MUSL_ARCH := x86_64
check-aarch64: KQ_MUSL_ARCH := aarch64
check-aarch64: KQ_TEST_RUNNER := $(QEMU_AARCH64)
# Tells the tests they run under qemu-user, for the one system call it does not translate.
check-aarch64: KQ_TEST_ENV := KQ_TEST_QEMU_USER=1

check-musl check-aarch64:
	@zig='$(KQ_ZIG)'; [ -n "$$zig" ] || { echo "$@: no Zig toolchain (see the line above)" >&2; exit 1; }
	@if [ -n '$(KQ_TEST_RUNNER)' ] && ! command -v '$(KQ_TEST_RUNNER)' >/dev/null 2>&1; then \
	  echo "$@: $(KQ_TEST_RUNNER) not found (Debian: apt-get install qemu-user-static)" >&2; exit 1; fi
	ZIG_GLOBAL_CACHE_DIR="$$(cross/zig.sh cache-dir)" ZIG_LOCAL_CACHE_DIR="$$(cross/zig.sh cache-dir)" \
	  $(MAKE) --no-print-directory $(BUILD)/musl-$(KQ_MUSL_ARCH)/kq-tests UNAME_S=Linux \
	  BUILD=$(BUILD)/musl-$(KQ_MUSL_ARCH) CC='$(KQ_ZIG) cc -target $(KQ_MUSL_ARCH)-linux-musl' LDFLAGS=-static
	$(KQ_TEST_ENV) $(KQ_TEST_RUNNER) $(BUILD)/musl-$(KQ_MUSL_ARCH)/kq-tests

# ---- Windows: the iocp backend and its C tests, under wine ---------------------------
#
#   make -C native check-wine      the backend-neutral C tests built for Windows x86_64
#                                  with mingw-w64 (Debian: gcc-mingw-w64-x86-64-win32) and
#                                  run under wine (Debian: wine, wine64), headless
#
# The same test sources and runner as `make check`, with src/backend/iocp.c and
# src/windows/ in place of the Unix files; the tests that cannot apply are skipped by
# name with their reason (TEST_NOT_WINDOWS in test/test-list.h). Linked statically: under
# wine a missing DLL fails silently. wine's exit status is not trusted (a crash can exit
# 0), so cross/wine-tests.sh passes only on the runner's last line "kq-tests: OK".
# What this proves and what it cannot: docs/limitations.md.
WIN_CC ?= x86_64-w64-mingw32-gcc
WIN_BUILD = $(BUILD)/windows-x86_64
WIN_CPPFLAGS := -Iinclude -Isrc $(WIN_DEFINES) -DKQ__BACKEND_NAME='"iocp"'
WIN_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror $(CFLAGS)
WIN_LDLIBS := -lws2_32 -lntdll
WIN_TEST_SRC := test/runner.c test/helpers.c test/test-poller.c test/test-timer.c \
  test/test-tcp-events.c test/test-socket.c test/test-windows.c
WIN_OBJ = $(WIN_CORE_SRC:%.c=$(WIN_BUILD)/obj/%.o) $(WIN_TEST_SRC:%.c=$(WIN_BUILD)/obj/%.o)

.PHONY: check-wine check-win-cc

check-win-cc:
	@command -v '$(WIN_CC)' >/dev/null 2>&1 || { echo "check-wine: $(WIN_CC) not found" \
	  "(Debian: apt-get install gcc-mingw-w64-x86-64-win32, or WIN_CC=<mingw-w64 gcc>)" >&2; exit 1; }

$(WIN_BUILD)/obj/%.o: %.c | check-win-cc
	@mkdir -p $(@D)
	$(WIN_CC) $(WIN_CPPFLAGS) $(WIN_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(WIN_BUILD)/kq-tests.exe: $(WIN_OBJ)
	$(WIN_CC) $(WIN_CFLAGS) -static -o $@ $^ $(LDFLAGS) $(WIN_LDLIBS)

check-wine: $(WIN_BUILD)/kq-tests.exe
	cross/wine-tests.sh $(WIN_BUILD)/wine-prefix "kq-tests: OK" $(WIN_BUILD)/kq-tests.exe

#   make -C native check-wine-dll DLL=<pekkokq.dll> JAVA_HOME=<jdk>
#       loads that DLL (the one -Pcross packs) under wine as a JVM would, with a stand-in
#       JavaVM (test/windows/jni-load.c): its imports resolve, JNI_OnLoad registers as
#       many natives as Native.java declares (counted here, so adding a native needs no
#       edit of the test), and a few of them run. Not a JVM: docs/limitations.md.
NATIVE_JAVA := ../pekko-kq/src/main/java/io/pekkokq/sys/Native.java
.PHONY: check-wine-dll
$(WIN_BUILD)/jni-load.exe: test/windows/jni-load.c include/kq.h | check-win-cc check-java-home
	@mkdir -p $(@D)
	$(WIN_CC) -Iinclude -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux $(WIN_DEFINES) \
	  $(WIN_CFLAGS) -static -o $@ $<

check-wine-dll: $(WIN_BUILD)/jni-load.exe
	@test -f "$(DLL)" || { echo "check-wine-dll: DLL=$(DLL): no such file (build it with mvn -Pcross)" >&2; exit 1; }
	@test -f "$(NATIVE_JAVA)" || { echo "check-wine-dll: $(NATIVE_JAVA) not found" >&2; exit 1; }
	cross/wine-tests.sh $(WIN_BUILD)/wine-prefix "jni-load: OK" $(WIN_BUILD)/jni-load.exe \
	  "Z:$$(realpath '$(DLL)' | tr / '\\')" "$$(grep -c '^[[:space:]]*static native ' $(NATIVE_JAVA))"

-include $(WIN_OBJ:.o=.d)
