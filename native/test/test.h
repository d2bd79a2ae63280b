/*
 * test.h - the C tests' ASSERT macros and helpers (helpers.c). A test is
 * `int test_<name>(void)` returning 0 on success; it is listed once in test-list.h
 * and must release everything it made (the runner checks descriptors, valgrind
 * checks memory).
 */
#ifndef KQ_TEST_H
#define KQ_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h> /* WSAPoll, POLLIN, POLLOUT */
#include <windows.h>
#else
#include <poll.h>
#endif

#include "kq.h"

#define ASSERT(cond)                                                                   \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      fprintf(stderr, "  %s:%d: ASSERT(%s) failed\n", __FILE__, __LINE__, #cond);      \
      return 1;                                                                        \
    }                                                                                  \
  } while (0)

#define ASSERT_EQ(actual, expected)                                                    \
  do {                                                                                 \
    long long a_ = (long long)(actual), e_ = (long long)(expected);                    \
    if (a_ != e_) {                                                                    \
      fprintf(stderr, "  %s:%d: ASSERT_EQ(%s, %s) failed: %lld != %lld\n", __FILE__,   \
              __LINE__, #actual, #expected, a_, e_);                                   \
      return 1;                                                                        \
    }                                                                                  \
  } while (0)

#define ASSERT_OK(expr) ASSERT_EQ((expr), 0)

/* A token as Java makes them: generation 1, the given slot. */
#define TEST_TOKEN(slot) ((UINT64_C(1) << 32) | (uint64_t)(slot))

/* 1 when this Windows test program runs under wine (ntdll has wine_get_version), else 0. */
int test_under_wine(void);
/* Monotonic milliseconds. */
int64_t test_now_ms(void);
/* Sleeps ms milliseconds. */
void test_sleep_ms(int ms);
/* A listening TCP socket on 127.0.0.1, port chosen by the kernel, written to *bound. */
kq_fd test_listener(kq_addr *bound);
/* A connected loopback TCP pair: *client connected to *server (accepted). 0 or -errno. */
int test_tcp_pair(kq_fd *client, kq_fd *server);
/* Blocks (poll(2), WSAPoll) until fd is readable (events=POLLIN) or writable (POLLOUT): 1/0. */
int test_poll_fd(kq_fd fd, short events, int timeout_ms);
/*
 * Waits up to timeout_ms for events carrying token, until all bits of `want` have been
 * seen (want 0: for the whole time). Returns the union of that token's bits seen.
 */
uint32_t test_collect(kq_poller *p, uint64_t token, uint32_t want, int timeout_ms);

#endif /* KQ_TEST_H */
