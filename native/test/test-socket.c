/* test-socket.c - connect errors, bind errors, accept batches, vectored I/O, options. */
#include <stdlib.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "test.h"

int test_socket_connect_refused(void) {
  kq_addr addr;
  kq_poller *p;
  kq_fd lfd = test_listener(&addr), fd;
  int r;
  ASSERT(lfd >= 0);
  ASSERT_OK(kq_close(lfd)); /* the port is now (almost surely) closed */
  ASSERT_OK(kq_poller_open(&p, 4));
  fd = kq_socket_tcp(KQ_AF_INET4);
  ASSERT(fd >= 0);
  r = kq_socket_connect(fd, &addr);
  if (r == -EINPROGRESS) {
    ASSERT_OK(kq_poller_add(p, fd, TEST_TOKEN(1), KQ_INTEREST_READ | KQ_INTEREST_WRITE));
    ASSERT(test_collect(p, TEST_TOKEN(1), KQ_EV_WRITABLE, 2000) & KQ_EV_WRITABLE);
    r = kq_socket_finish_connect(fd);
  }
  ASSERT_EQ(r, -ECONNREFUSED);
  ASSERT_EQ(kq_socket_connect(fd, NULL), -EINVAL);
  ASSERT_OK(kq_close(fd));
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

int test_socket_bind_addr_in_use(void) {
  kq_addr addr, bad;
  kq_fd lfd = test_listener(&addr), fd;
  ASSERT(lfd >= 0);
  ASSERT_EQ(addr.family, KQ_AF_INET4);
  ASSERT(addr.port != 0);
  ASSERT(addr.bytes[0] == 127 && addr.bytes[3] == 1);
  fd = kq_socket_tcp(KQ_AF_INET4);
  ASSERT(fd >= 0);
  ASSERT_EQ(kq_socket_bind(fd, &addr), -EADDRINUSE);
  bad = addr;
  bad.family = 5;
  ASSERT_EQ(kq_socket_bind(fd, &bad), -EINVAL);
  ASSERT_EQ(kq_socket_tcp(5), -EINVAL);
  ASSERT_OK(kq_close(fd));
  ASSERT_OK(kq_close(lfd));
  return 0;
}

int test_socket_accept_batch(void) {
  kq_addr addr, local, peer;
  kq_fd lfd = test_listener(&addr), clients[3], fds[8];
  int r;
  ASSERT(lfd >= 0);
  ASSERT_EQ(kq_socket_accept(lfd, fds, 8), -EAGAIN);
  ASSERT_EQ(kq_socket_accept(lfd, NULL, 8), -EINVAL);
  for (int i = 0; i < 3; i++) {
    clients[i] = kq_socket_tcp(KQ_AF_INET4);
    ASSERT(clients[i] >= 0);
    r = kq_socket_connect(clients[i], &addr);
    ASSERT(r == 0 || r == -EINPROGRESS);
  }
  /* Once each client is connected, the server has all three queued. */
  for (int i = 0; i < 3; i++) ASSERT(test_poll_fd(clients[i], POLLOUT, 2000));
  ASSERT_EQ(kq_socket_accept(lfd, fds, 2), 2); /* bounded by max */
  ASSERT_EQ(kq_socket_accept(lfd, fds + 2, 8), 1); /* the rest, then EAGAIN inside */
  ASSERT_EQ(kq_socket_accept(lfd, fds, 8), -EAGAIN);
  ASSERT_OK(kq_socket_local_addr(fds[0], &local));
  ASSERT_EQ(local.port, addr.port);
  ASSERT_OK(kq_socket_peer_addr(fds[0], &peer));
  ASSERT_EQ(peer.family, KQ_AF_INET4);
  ASSERT(peer.port != 0 && peer.port != addr.port);
  ASSERT_EQ(kq_socket_peer_addr(lfd, &peer), -ENOTCONN);
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(kq_close(fds[i]));
    ASSERT_OK(kq_close(clients[i]));
  }
  ASSERT_OK(kq_close(lfd));
  return 0;
}

int test_socket_readv_writev(void) {
  kq_fd c, s;
  char a[3], b[3];
  kq_iovec out[3] = {{"ab", 2}, {"cd", 2}, {"ef", 2}};
  kq_iovec in[2] = {{a, 3}, {b, 3}};
  ASSERT_OK(test_tcp_pair(&c, &s));
  ASSERT_EQ(kq_writev(c, out, 3), 6);
  ASSERT(test_poll_fd(s, POLLIN, 1000));
  ASSERT_EQ(kq_readv(s, in, 2), 6);
  ASSERT(memcmp(a, "abc", 3) == 0 && memcmp(b, "def", 3) == 0);
  ASSERT_EQ(kq_readv(s, in, 2), -EAGAIN);
  ASSERT_OK(kq_close(c));
  /* The peer is gone: a read sees the end, a write does not raise SIGPIPE. */
  ASSERT(test_poll_fd(s, POLLIN, 1000));
  ASSERT_EQ(kq_readv(s, in, 2), 0);
  ssize_t w = kq_write(s, "x", 1);
  if (w == 1) w = kq_write(s, "x", 1);
  ASSERT(w == -EPIPE || w == -ECONNRESET || w == 1);
  ASSERT_OK(kq_close(s));
  return 0;
}

/*
 * What the JNI readArray0 relies on (it reads into a pinned Java array at an offset):
 * kq_read writes only the bytes it returns, from where it is pointed, never beyond the
 * length; -EAGAIN when nothing is there, 0 once the peer's FIN is read.
 */
int test_socket_read_into_range(void) {
  char buf[16];
  kq_fd c, s;
  memset(buf, '.', sizeof buf);
  ASSERT_OK(test_tcp_pair(&c, &s));
  ASSERT_EQ(kq_read(s, buf + 3, 4), -EAGAIN);
  ASSERT_EQ(kq_write(c, "hello", 5), 5);
  ASSERT(test_poll_fd(s, POLLIN, 1000));
  ASSERT_EQ(kq_read(s, buf + 3, 4), 4);
  ASSERT(memcmp(buf, "...hell.........", sizeof buf) == 0);
  ASSERT_EQ(kq_read(s, buf + 7, 9), 1);
  ASSERT(memcmp(buf, "...hello........", sizeof buf) == 0);
  ASSERT_EQ(kq_read(s, buf, sizeof buf), -EAGAIN);
  ASSERT_OK(kq_socket_shutdown(c, 1));
  ASSERT(test_poll_fd(s, POLLIN, 1000));
  ASSERT_EQ(kq_read(s, buf, sizeof buf), 0);
  ASSERT(memcmp(buf, "...hello........", sizeof buf) == 0);
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  return 0;
}

#ifndef _WIN32 /* no sendfile on Windows (-EOPNOTSUPP): runner.c says so */
int test_socket_sendfile(void) {
  char path[] = "/tmp/kq-test-sendfile-XXXXXX", data[8192], got[8192];
  int c, s, file = mkstemp(path);
  ssize_t sent = 0, r, received = 0;
  ASSERT(file >= 0);
  unlink(path);
  for (size_t i = 0; i < sizeof data; i++) data[i] = (char)(i * 7);
  ASSERT_EQ(write(file, data, sizeof data), (ssize_t)sizeof data);
  ASSERT_OK(test_tcp_pair(&c, &s));
  ASSERT_EQ(kq_sendfile(c, file, -1, 10), -EINVAL);
  ASSERT_EQ(kq_sendfile(c, file, 0, 0), 0);
  /* From offset 100, 5000 bytes; the file position is not used nor moved. */
  while (sent < 5000) {
    r = kq_sendfile(c, file, 100 + sent, 5000 - sent);
    ASSERT(r > 0);
    sent += r;
  }
  ASSERT_EQ(kq_sendfile(c, file, sizeof data, 10), 0); /* at end of file */
  while (received < 5000 && test_poll_fd(s, POLLIN, 1000)) {
    r = kq_read(s, got + received, sizeof got - received);
    ASSERT(r > 0);
    received += r;
  }
  ASSERT_EQ(received, 5000);
  ASSERT(memcmp(got, data + 100, 5000) == 0);
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_close(file));
  return 0;
}

#endif

int test_socket_options(void) {
#ifdef _WIN32 /* Windows has no SO_REUSEPORT: a clear error, checked below */
  static const int booleans[] = {KQ_SO_REUSEADDR, KQ_TCP_NODELAY, KQ_SO_KEEPALIVE};
#else
  static const int booleans[] = {KQ_SO_REUSEADDR, KQ_SO_REUSEPORT, KQ_TCP_NODELAY,
                                 KQ_SO_KEEPALIVE};
#endif
  kq_fd fd = kq_socket_tcp(KQ_AF_INET6);
  int v = 42;
  ASSERT(fd >= 0);
#ifdef _WIN32
  ASSERT_EQ(kq_socket_set_option(fd, KQ_SO_REUSEPORT, 1), -EOPNOTSUPP);
  ASSERT_EQ(kq_socket_get_option(fd, KQ_SO_REUSEPORT, &v), -EOPNOTSUPP);
#endif
#if defined(__linux__) || defined(SO_REUSEPORT_LB)
  /* Load-balancing reuse-port (listener sharding): SO_REUSEPORT on Linux. */
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_REUSEPORT_LB, 1));
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_REUSEPORT_LB, &v));
  ASSERT_EQ(v, 1);
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_REUSEPORT_LB, 0));
#else /* macOS, Windows: no balancing reuse-port, the option this platform lacks */
  ASSERT_EQ(kq_socket_set_option(fd, KQ_SO_REUSEPORT_LB, 1), -ENOPROTOOPT);
#endif
  for (size_t i = 0; i < sizeof booleans / sizeof booleans[0]; i++) {
    ASSERT_OK(kq_socket_set_option(fd, booleans[i], 1));
    ASSERT_OK(kq_socket_get_option(fd, booleans[i], &v));
    ASSERT_EQ(v, 1);
    ASSERT_OK(kq_socket_set_option(fd, booleans[i], 0));
    ASSERT_OK(kq_socket_get_option(fd, booleans[i], &v));
    ASSERT_EQ(v, 0);
  }
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_RCVBUF, 65536));
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_RCVBUF, &v));
  ASSERT(v >= 65536);
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_SNDBUF, 65536));
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_SNDBUF, &v));
  ASSERT(v >= 65536);
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_LINGER, &v));
  ASSERT_EQ(v, -1); /* off by default */
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_LINGER, 5));
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_LINGER, &v));
  ASSERT_EQ(v, 5);
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_LINGER, 0));
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_LINGER, &v));
  ASSERT_EQ(v, 0);
  ASSERT_OK(kq_socket_set_option(fd, KQ_SO_LINGER, -1));
  ASSERT_OK(kq_socket_get_option(fd, KQ_SO_LINGER, &v));
  ASSERT_EQ(v, -1);
  ASSERT_EQ(kq_socket_set_option(fd, 99, 1), -EINVAL);
  ASSERT_EQ(kq_socket_get_option(fd, 99, &v), -EINVAL);
  ASSERT_EQ(kq_socket_get_option(fd, KQ_TCP_NODELAY, NULL), -EINVAL);
  ASSERT_OK(kq_close(fd));
  return 0;
}

/* The TCP tuning options read back as set, or are -ENOPROTOOPT where the kernel lacks them. */
int test_socket_tcp_tuning_options(void) {
  static const struct { int option, value; } numbers[] = {
      {KQ_TCP_USER_TIMEOUT, 30000}, {KQ_TCP_KEEPIDLE, 61},      {KQ_TCP_KEEPINTVL, 7},
      {KQ_TCP_KEEPCNT, 4},          {KQ_TCP_NOTSENT_LOWAT, 16384}, {KQ_TCP_FASTOPEN, 5},
  };
  static const int booleans[] = {KQ_TCP_CORK, KQ_TCP_QUICKACK, KQ_IPV6_V6ONLY, KQ_SO_OOBINLINE};
  kq_fd fd6 = kq_socket_tcp(KQ_AF_INET6), fd4 = kq_socket_tcp(KQ_AF_INET4);
  int v, r;
  ASSERT(fd6 >= 0);
  ASSERT(fd4 >= 0);
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    r = kq_socket_set_option(fd6, numbers[i].option, numbers[i].value);
    if (r == -ENOPROTOOPT) {
      ASSERT_EQ(kq_socket_get_option(fd6, numbers[i].option, &v), -ENOPROTOOPT);
      continue;
    }
    ASSERT_OK(r);
    v = -1;
    ASSERT_OK(kq_socket_get_option(fd6, numbers[i].option, &v));
#ifdef __linux__
    ASSERT_EQ(v, numbers[i].value);
#else
    ASSERT(v != 0); /* TCP_FASTOPEN is a switch outside Linux */
#endif
  }
  for (size_t i = 0; i < sizeof booleans / sizeof booleans[0]; i++) {
    r = kq_socket_set_option(fd6, booleans[i], 1);
    if (r == -ENOPROTOOPT) continue;
    ASSERT_OK(r);
    ASSERT_OK(kq_socket_get_option(fd6, booleans[i], &v));
    ASSERT_EQ(v, 1);
    ASSERT_OK(kq_socket_set_option(fd6, booleans[i], 0));
    ASSERT_OK(kq_socket_get_option(fd6, booleans[i], &v));
    ASSERT_EQ(v, 0);
  }
#ifdef __linux__
  /* Linux has them all */
  ASSERT_OK(kq_socket_get_option(fd6, KQ_TCP_USER_TIMEOUT, &v));
  ASSERT_OK(kq_socket_get_option(fd6, KQ_TCP_QUICKACK, &v));
#endif
#ifdef _WIN32
  /* Winsock accepts IP_TOS and ignores it: the option is one Windows lacks here */
  ASSERT_EQ(kq_socket_set_option(fd4, KQ_IP_TRAFFIC_CLASS, 0x28), -ENOPROTOOPT);
#else
  /* the traffic class byte of each family (the ECN bits left clear: the kernel owns them) */
  ASSERT_OK(kq_socket_set_option(fd4, KQ_IP_TRAFFIC_CLASS, 0x28));
  ASSERT_OK(kq_socket_get_option(fd4, KQ_IP_TRAFFIC_CLASS, &v));
  ASSERT_EQ(v, 0x28);
  ASSERT_OK(kq_socket_set_option(fd6, KQ_IP_TRAFFIC_CLASS, 0xb8));
  ASSERT_OK(kq_socket_get_option(fd6, KQ_IP_TRAFFIC_CLASS, &v));
  ASSERT_EQ(v, 0xb8);
#endif
#ifndef _WIN32
  /* an IPv6-only option on an IPv4 socket is refused by the kernel (wine takes it, so
   * the Windows build does not assert what Winsock answers) */
  ASSERT(kq_socket_set_option(fd4, KQ_IPV6_V6ONLY, 1) < 0);
#endif
  ASSERT_OK(kq_close(fd4));
  ASSERT_OK(kq_close(fd6));
  return 0;
}

int test_socket_closed_fd_ebadf(void) {
  kq_poller *p;
  kq_addr addr;
  char buf[4];
  int v;
  kq_fd accepted, fd = kq_socket_tcp(KQ_AF_INET4);
  ASSERT(fd >= 0);
  ASSERT_OK(kq_poller_open(&p, 4));
  ASSERT_OK(kq_close(fd));
#ifdef _WIN32
  /* Winsock cannot tell a closed socket from a handle that is no socket: WSAENOTSOCK
   * for every call on it. The error is as clear, under another name. */
#define EBADF_CLOSED ENOTSOCK
#else
#define EBADF_CLOSED EBADF
#endif
  ASSERT_EQ(kq_close(fd), -EBADF_CLOSED);
  ASSERT_EQ(kq_close(-1), -EBADF);
  ASSERT_EQ(kq_read(fd, buf, sizeof buf), -EBADF_CLOSED);
  ASSERT_EQ(kq_write(fd, "x", 1), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_listen(fd, 1), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_accept(fd, &accepted, 1), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_local_addr(fd, &addr), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_finish_connect(fd), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_set_option(fd, KQ_TCP_NODELAY, 1), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_get_option(fd, KQ_SO_LINGER, &v), -EBADF_CLOSED);
  ASSERT_EQ(kq_socket_shutdown(fd, 2), -EBADF_CLOSED);
  ASSERT_EQ(kq_fd_set_nonblocking(fd, 1), -EBADF_CLOSED);
#ifdef _WIN32
  /* SIO_BASE_HANDLE on the closed handle: wine answers WSAEBADF here. */
  int r = kq_poller_add(p, fd, TEST_TOKEN(1), KQ_INTEREST_READ);
  ASSERT(r == -EBADF || r == -ENOTSOCK);
#else
  ASSERT_EQ(kq_poller_add(p, fd, TEST_TOKEN(1), KQ_INTEREST_READ), -EBADF);
#endif
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

#ifndef _WIN32 /* no files nor pipes here on Windows (-EOPNOTSUPP): runner.c says so */
int test_file_open_read(void) {
  int fds[2], fd;
  char buf[8];
  ASSERT_EQ(kq_file_open_read(NULL), -EINVAL);
  ASSERT_EQ(kq_file_open_read("/nonexistent/kq-test"), -ENOENT);
  ASSERT_EQ(kq_file_open_read("/tmp"), -EISDIR);
  fd = kq_file_open_read("/proc/self/stat");
  if (fd == -ENOENT) fd = kq_file_open_read("/dev/null"); /* no /proc (macOS) */
  ASSERT(fd >= 0);
  ASSERT(kq_read(fd, buf, sizeof buf) >= 0);
  ASSERT_OK(kq_close(fd));
  /* A pipe: non-blocking both ends, writes through the non-socket path. */
  ASSERT_OK(kq_pipe(fds));
  ASSERT_EQ(kq_read(fds[0], buf, sizeof buf), -EAGAIN);
  ASSERT_EQ(kq_write(fds[1], "pipe", 4), 4);
  ASSERT_EQ(kq_read(fds[0], buf, sizeof buf), 4);
  ASSERT_OK(kq_fd_set_nonblocking(fds[0], 0));
  ASSERT_OK(kq_fd_set_nonblocking(fds[0], 1));
  ASSERT_EQ(kq_read(fds[0], buf, sizeof buf), -EAGAIN);
  ASSERT_OK(kq_close(fds[0]));
  ASSERT_OK(kq_close(fds[1]));
  return 0;
}
#endif
