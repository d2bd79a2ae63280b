/* test-tcp-events.c - readiness of a real loopback TCP connection, edge-triggered. */
#include <poll.h>

#include "test.h"

#define RW (KQ_INTEREST_READ | KQ_INTEREST_WRITE)

int test_tcp_read_write_events(void) {
  kq_poller *p;
  int c, s;
  char buf[16];
  ASSERT_OK(kq_poller_open(&p, 8));
  ASSERT_OK(test_tcp_pair(&c, &s));
  ASSERT_OK(kq_poller_add(p, c, TEST_TOKEN(1), RW));
  ASSERT_OK(kq_poller_add(p, s, TEST_TOKEN(2), RW));
  /* A fresh connection has room to send: WRITABLE, and nothing to read yet. */
  ASSERT(test_collect(p, TEST_TOKEN(1), KQ_EV_WRITABLE, 1000) & KQ_EV_WRITABLE);
  ASSERT_EQ(kq_read(c, buf, sizeof buf), -EAGAIN);
  ASSERT_EQ(kq_write(s, "hello", 5), 5);
  ASSERT(test_collect(p, TEST_TOKEN(1), KQ_EV_READABLE, 1000) & KQ_EV_READABLE);
  ASSERT_EQ(kq_read(c, buf, sizeof buf), 5);
  ASSERT(memcmp(buf, "hello", 5) == 0);
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

int test_tcp_edge_triggered(void) {
  kq_poller *p;
  int c, s;
  char buf[4];
  ASSERT_OK(kq_poller_open(&p, 8));
  ASSERT_OK(test_tcp_pair(&c, &s));
  ASSERT_OK(kq_poller_add(p, c, TEST_TOKEN(1), RW));
  test_collect(p, TEST_TOKEN(1), KQ_EV_WRITABLE, 1000);
  ASSERT_EQ(kq_write(s, "0123456789", 10), 10);
  ASSERT(test_collect(p, TEST_TOKEN(1), KQ_EV_READABLE, 1000) & KQ_EV_READABLE);
  /* Not drained: edge-triggered reports the edge once, never the level. */
  ASSERT_EQ(kq_read(c, buf, 4), 4);
  ASSERT_EQ(test_collect(p, TEST_TOKEN(1), 0, 50) & KQ_EV_READABLE, 0);
  /* Drained to EAGAIN: still nothing without new data. */
  while (kq_read(c, buf, sizeof buf) > 0) {
  }
  ASSERT_EQ(kq_read(c, buf, sizeof buf), -EAGAIN);
  ASSERT_EQ(test_collect(p, TEST_TOKEN(1), 0, 50) & KQ_EV_READABLE, 0);
  /* New data is a new edge. */
  ASSERT_EQ(kq_write(s, "x", 1), 1);
  ASSERT(test_collect(p, TEST_TOKEN(1), KQ_EV_READABLE, 1000) & KQ_EV_READABLE);
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

int test_tcp_shutdown_write_hangup(void) {
  kq_poller *p;
  int c, s;
  char buf[4];
  uint32_t bits;
  ASSERT_OK(kq_poller_open(&p, 8));
  ASSERT_OK(test_tcp_pair(&c, &s));
  ASSERT_OK(kq_poller_add(p, c, TEST_TOKEN(1), KQ_INTEREST_READ));
  ASSERT_EQ(kq_socket_shutdown(s, 3), -EINVAL);
  ASSERT_OK(kq_socket_shutdown(s, 1));
  bits = test_collect(p, TEST_TOKEN(1), KQ_EV_HANGUP | KQ_EV_READABLE, 1000);
  ASSERT_EQ(bits & (KQ_EV_HANGUP | KQ_EV_READABLE), KQ_EV_HANGUP | KQ_EV_READABLE);
  ASSERT_EQ(kq_read(c, buf, sizeof buf), 0); /* end of stream */
  /* Half-closed: the other direction still works. */
  ASSERT_EQ(kq_write(c, "ok", 2), 2);
  ASSERT(test_poll_fd(s, POLLIN, 1000));
  ASSERT_EQ(kq_read(s, buf, sizeof buf), 2);
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_poller_close(p));
  return 0;
}
