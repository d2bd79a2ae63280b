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
