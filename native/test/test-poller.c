/* test-poller.c - opening, closing, reserved tokens and wake-ups. */
#ifndef _WIN32
#include <pthread.h>
#endif

#include "test.h"

int test_poller_open_close(void) {
  kq_poller *p = NULL;
  kq_event ev[4];
  ASSERT_EQ(kq_poller_open(&p, 0), -EINVAL);
  ASSERT_EQ(kq_poller_open(NULL, 8), -EINVAL);
  ASSERT_OK(kq_poller_open(&p, 8));
  ASSERT(kq_poller_fd(p) >= 0);
  ASSERT_EQ(kq_poller_wait(p, ev, 4, 0), 0); /* nothing pending, returns at once */
  ASSERT_EQ(kq_poller_wait(p, NULL, 4, 0), -EINVAL);
  ASSERT_EQ(kq_poller_wait(p, ev, 0, 0), -EINVAL);
  ASSERT_OK(kq_poller_close(p));
  /* A null poller is an error, never a crash (Java passes 0 after close). */
  ASSERT_EQ(kq_poller_close(NULL), -EINVAL);
  ASSERT_EQ(kq_poller_fd(NULL), -EINVAL);
  ASSERT_EQ(kq_poller_wait(NULL, ev, 4, 0), -EINVAL);
  ASSERT_EQ(kq_poller_wake(NULL), -EINVAL);
  ASSERT_EQ(kq_poller_set_timer(NULL, 0), -EINVAL);
  ASSERT_EQ(kq_poller_add(NULL, 0, TEST_TOKEN(1), KQ_INTEREST_READ), -EINVAL);
  ASSERT_EQ(kq_poller_delete(NULL, 0), -EINVAL);
  ASSERT_EQ(kq_poller_watch_signals(NULL), -EINVAL);
  return 0;
}

int test_poller_reserved_tokens(void) {
  kq_poller *p;
  kq_event ev[8];
  kq_fd fds[2]; /* [0] is watched, [1] writes to it */
  int r, n, mine = 0;
  ASSERT_OK(kq_poller_open(&p, 8));
  ASSERT_OK(test_tcp_pair(&fds[0], &fds[1]));
  /* Tokens with a zero upper half belong to the poller's own sources. */
  ASSERT_EQ(kq_poller_add(p, fds[0], 0, KQ_INTEREST_READ), -EINVAL);
  ASSERT_EQ(kq_poller_add(p, fds[0], 1, KQ_INTEREST_READ), -EINVAL);
  ASSERT_EQ(kq_poller_add(p, fds[0], UINT64_C(0xffffffff), KQ_INTEREST_READ), -EINVAL);
  ASSERT_EQ(kq_poller_add(p, fds[0], TEST_TOKEN(7), 0x10), -EINVAL); /* bad interest */
  ASSERT_OK(kq_poller_add(p, fds[0], TEST_TOKEN(7), KQ_INTEREST_READ));
  /* Adding it again: epoll_ctl(2) refuses (EEXIST); kqueue(2) says EV_ADD of an
   * existing knote "will modify the parameters of the original event, and not result
   * in a duplicate entry". Either way the fd stays attached ONCE: one event per edge. */
  r = kq_poller_add(p, fds[0], TEST_TOKEN(7), KQ_INTEREST_READ);
  ASSERT(r == -EEXIST || r == 0);
  ASSERT_EQ(kq_poller_modify(p, fds[0], 3, KQ_INTEREST_READ), -EINVAL);
  ASSERT_OK(kq_poller_modify(p, fds[0], TEST_TOKEN(8), KQ_INTEREST_READ));
  ASSERT_EQ(kq_write(fds[1], "x", 1), 1);
  ASSERT(test_poll_fd(fds[0], POLLIN, 1000));
  n = kq_poller_wait(p, ev, 8, 1000);
  for (int i = 0; i < n; i++) {
    ASSERT(ev[i].token != TEST_TOKEN(7)); /* modify replaced the token */
    mine += ev[i].token == TEST_TOKEN(8);
  }
  ASSERT_EQ(mine, 1);
  ASSERT_EQ(test_collect(p, TEST_TOKEN(8), 0, 50), 0); /* and no second copy later */
  ASSERT_OK(kq_poller_delete(p, fds[0]));
  ASSERT_EQ(kq_poller_delete(p, fds[0]), -ENOENT);
  ASSERT_OK(kq_close(fds[0]));
  ASSERT_OK(kq_close(fds[1]));
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

#ifdef _WIN32 /* no pthread.h with every Windows toolchain: Windows threads there */
static DWORD WINAPI wake_later(void *arg) {
  test_sleep_ms(50);
  kq_poller_wake(arg);
  return 0;
}
#else
static void *wake_later(void *arg) {
  test_sleep_ms(50);
  kq_poller_wake(arg);
  return NULL;
}
#endif

int test_poller_wake_from_thread(void) {
  kq_poller *p;
  kq_event ev[4];
#ifdef _WIN32
  HANDLE thread;
#else
  pthread_t thread;
#endif
  int64_t start;
  ASSERT_OK(kq_poller_open(&p, 4));
  /* The clock starts before the thread does: the thread sleeps 50 ms from its own start,
   * so the wait lasts at least that however long this thread is descheduled in between
   * (reading the clock after pthread_create failed under load). */
  start = test_now_ms();
#ifdef _WIN32
  thread = CreateThread(NULL, 0, wake_later, p, 0, NULL);
  ASSERT(thread != NULL);
#else
  ASSERT_OK(pthread_create(&thread, NULL, wake_later, p));
#endif
  ASSERT_EQ(kq_poller_wait(p, ev, 4, -1), 1); /* blocks until the other thread wakes it */
  ASSERT_EQ(ev[0].token, 0);
  ASSERT_EQ(ev[0].bits, KQ_EV_WAKEUP);
  ASSERT(test_now_ms() - start >= 40);
#ifdef _WIN32
  ASSERT_EQ(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
  ASSERT(CloseHandle(thread));
#else
  ASSERT_OK(pthread_join(thread, NULL));
#endif
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

int test_poller_wake_coalesces(void) {
  kq_poller *p;
  kq_event ev[4];
  ASSERT_OK(kq_poller_open(&p, 4));
  ASSERT_OK(kq_poller_wake(p));
  ASSERT_OK(kq_poller_wake(p));
  ASSERT_OK(kq_poller_wake(p));
  ASSERT_EQ(kq_poller_wait(p, ev, 4, 0), 1);
  ASSERT_EQ(ev[0].bits, KQ_EV_WAKEUP);
  ASSERT_EQ(kq_poller_wait(p, ev, 4, 0), 0); /* drained inside the first wait */
  ASSERT_OK(kq_poller_close(p));
  return 0;
}
