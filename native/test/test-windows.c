/*
 * test-windows.c - what the Windows build does not offer answers -EOPNOTSUPP, clearly,
 * instead of crashing or pretending (src/windows/unsupported.c, src/windows/socket.c).
 * Compiled on Windows only (TEST_WINDOWS_ONLY in test-list.h).
 */
#ifdef _WIN32
#include "test.h"

int test_windows_unsupported(void) {
  kq_poller *p;
  kq_fd fds[2];
  kq_dgram msg;
  char name[8] = "x";
  ASSERT_EQ(strcmp(kq_backend_name(), "iocp"), 0);
  ASSERT_OK(kq_poller_open(&p, 4));
  ASSERT_EQ(kq_poller_watch_signals(p), -EOPNOTSUPP);
  ASSERT_OK(kq_poller_close(p));
  ASSERT_EQ(kq_signal_subscribe(2), -EOPNOTSUPP);
  ASSERT_EQ(kq_signal_is_refused(2), -EOPNOTSUPP);
  ASSERT_EQ(kq_pipe(fds), -EOPNOTSUPP);
  ASSERT_EQ(kq_file_open_read("C:\\windows\\win.ini"), -EOPNOTSUPP);
  ASSERT_EQ(kq_socket_unix(), -EOPNOTSUPP);
  ASSERT_EQ(kq_unix_unlink(name, 1), -EOPNOTSUPP);
  ASSERT_EQ(kq_socket_udp(KQ_AF_INET4), -EOPNOTSUPP);
  ASSERT_EQ(kq_dgram_recv(0, &msg, 1), -EOPNOTSUPP);
  ASSERT_OK(test_tcp_pair(&fds[0], &fds[1]));
  ASSERT_EQ(kq_sendfile(fds[0], fds[1], 0, 1), -EOPNOTSUPP);
  ASSERT_OK(kq_close(fds[0]));
  ASSERT_OK(kq_close(fds[1]));
  return 0;
}
#endif
