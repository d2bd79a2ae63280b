/*
 * socket.c - TCP sockets, descriptors and byte I/O, under the error rule of kq.h.
 *
 * Every descriptor made here is non-blocking and close-on-exec from birth (the JVM
 * forks processes; a leaked listening socket would outlive us in a child). Writes
 * never raise SIGPIPE (MSG_NOSIGNAL, or SO_NOSIGPIPE: see internal.h).
 *
 * Next to read: src/signal.c.
 */
#include <limits.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "internal.h"

/* ---- addresses (the conversions are in src/addr.c) ----------------------------- */

typedef int (*kq__name_fn)(int, struct sockaddr *, socklen_t *);

static int kq__socket_name(int fd, kq_addr *out, kq__name_fn fn) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (out == NULL) return -EINVAL;
  memset(&ss, 0, sizeof ss);
  if (fn(fd, (struct sockaddr *)&ss, &len) == -1) return kq__err();
  return kq__addr_from_sockaddr(&ss, out);
}

int kq_socket_local_addr(int fd, kq_addr *out) { return kq__socket_name(fd, out, getsockname); }

int kq_socket_peer_addr(int fd, kq_addr *out) { return kq__socket_name(fd, out, getpeername); }

/* ---- socket lifecycle ------------------------------------------------------------ */

int kq_socket_tcp(int family) {
  if (family == KQ_AF_INET4) return kq__socket(AF_INET, SOCK_STREAM);
  /* IPV6_V6ONLY is left at the system default (ipv6(7): usually 0, dual-stack). */
  if (family == KQ_AF_INET6) return kq__socket(AF_INET6, SOCK_STREAM);
  return -EINVAL;
}

int kq_socket_bind(int fd, const kq_addr *addr) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int r = kq__addr_to_sockaddr(addr, &ss, &len);
  if (r < 0) return r;
  return bind(fd, (struct sockaddr *)&ss, len) == -1 ? kq__err() : 0;
}

int kq_socket_listen(int fd, int backlog) {
  return listen(fd, backlog) == -1 ? kq__err() : 0;
}

int kq_socket_accept(int fd, int *fds, int max) {
  int n = 0;
  if (fds == NULL || max <= 0) return -EINVAL;
  while (n < max) {
    int r = kq__accept(fd);
    /* Whatever stops a batch after the first connection (EAGAIN, ECONNABORTED,
     * EMFILE...) is reported by the next call, which will meet it again. */
    if (r < 0) return n > 0 ? n : r;
    fds[n++] = r;
  }
  return n;
}

int kq_socket_connect(int fd, const kq_addr *addr) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int r = kq__addr_to_sockaddr(addr, &ss, &len);
  if (r < 0) return r;
  if (connect(fd, (struct sockaddr *)&ss, len) == 0) return 0;
  /* connect(2) must NOT be retried on EINTR: the attempt goes on asynchronously and a
   * retry fails with EALREADY. An interrupted connect is simply pending. */
  if (errno == EINTR) return -EINPROGRESS;
  return kq__err();
}

int kq_socket_finish_connect(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) return kq__err();
  return err == 0 ? 0 : -err;
}

int kq_socket_shutdown(int fd, int how) {
  static const int hows[] = {SHUT_RD, SHUT_WR, SHUT_RDWR};
  if (how < 0 || how > 2) return -EINVAL;
  return shutdown(fd, hows[how]) == -1 ? kq__err() : 0;
}

/* ---- byte I/O -------------------------------------------------------------------- */

/* kq.h declares kq_iovec so its users need no <sys/uio.h>; it must BE struct iovec here,
 * so readv(2) and sendmsg(2) take the caller's array as it is (no copy). */
_Static_assert(sizeof(kq_iovec) == sizeof(struct iovec), "kq_iovec is struct iovec");
_Static_assert(offsetof(kq_iovec, base) == offsetof(struct iovec, iov_base), "iov_base");
_Static_assert(offsetof(kq_iovec, len) == offsetof(struct iovec, iov_len), "iov_len");
#define KQ__IOV(iov) ((const struct iovec *)(const void *)(iov))

ssize_t kq_read(int fd, void *buf, size_t len) {
  ssize_t r;
  KQ__RETRY(r, read(fd, buf, len));
  return r == -1 ? kq__err() : r;
}

ssize_t kq_write(int fd, const void *buf, size_t len) {
  ssize_t r;
  KQ__RETRY(r, send(fd, buf, len, KQ__SEND_FLAGS));
  /* Not a socket (a pipe, stdout): plain write(2). SIGPIPE is then the JVM's, which
   * ignores it, so the caller still gets EPIPE. */
  if (r == -1 && errno == ENOTSOCK) KQ__RETRY(r, write(fd, buf, len));
  return r == -1 ? kq__err() : r;
}

ssize_t kq_readv(int fd, const kq_iovec *iov, int iovcnt) {
  ssize_t r;
  KQ__RETRY(r, readv(fd, KQ__IOV(iov), iovcnt));
  return r == -1 ? kq__err() : r;
}

ssize_t kq_writev(int fd, const kq_iovec *iov, int iovcnt) {
  struct msghdr msg;
  ssize_t r;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = (struct iovec *)KQ__IOV(iov); /* sendmsg(2) does not write through it */
  msg.msg_iovlen = iovcnt;
  KQ__RETRY(r, sendmsg(fd, &msg, KQ__SEND_FLAGS));
  if (r == -1 && errno == ENOTSOCK) KQ__RETRY(r, writev(fd, KQ__IOV(iov), iovcnt));
  return r == -1 ? kq__err() : r;
}

ssize_t kq_sendfile(int out_fd, int in_fd, int64_t offset, int64_t count) {
  /* Linux sends at most 0x7ffff000 bytes per call (sendfile(2) NOTES); callers loop. */
  const int64_t max_chunk = 0x7ffff000;
  if (offset < 0 || count < 0) return -EINVAL;
  if (count == 0) return 0;
  return kq__sendfile(out_fd, in_fd, offset, (size_t)(count < max_chunk ? count : max_chunk));
}

int kq_close(int fd) {
  if (fd < 0) return -EBADF;
  /* close(2): on Linux the descriptor is released even when close fails with EINTR,
   * and retrying could close a descriptor another thread has just been given. */
  if (close(fd) == -1 && errno != EINTR) return kq__err();
  return 0;
}

int kq_pipe(int fds[2]) {
  if (fds == NULL) return -EINVAL;
  return kq__pipe(fds);
}

int kq_file_open_read(const char *path) {
  struct stat st;
  int fd;
  if (path == NULL) return -EINVAL;
  KQ__RETRY(fd, open(path, O_RDONLY | O_CLOEXEC));
  if (fd == -1) return kq__err();
  /* open(2) of a directory for reading succeeds; a read would fail later with EISDIR.
   * Report it now, where the caller expects file errors. */
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return -EISDIR;
  }
  return fd;
}

int kq_fd_set_nonblocking(int fd, int on) { return kq__set_nonblock(fd, on); }

/* ---- options --------------------------------------------------------------------- */

/* The (level, name) of a portable option that is a plain int; 0, -EINVAL for an unknown
 * option, -ENOPROTOOPT for one this platform lacks. */
static int kq__option_name(int option, int *level, int *name) {
  switch (option) {
  case KQ_SO_REUSEADDR: *level = SOL_SOCKET; *name = SO_REUSEADDR; return 0;
  case KQ_SO_REUSEPORT: *level = SOL_SOCKET; *name = SO_REUSEPORT; return 0;
  case KQ_SO_REUSEPORT_LB:
#if defined(SO_REUSEPORT_LB)
    *level = SOL_SOCKET; *name = SO_REUSEPORT_LB; return 0;
#elif defined(__linux__)
    *level = SOL_SOCKET; *name = SO_REUSEPORT; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_NODELAY:  *level = IPPROTO_TCP; *name = TCP_NODELAY; return 0;
  case KQ_SO_KEEPALIVE: *level = SOL_SOCKET; *name = SO_KEEPALIVE; return 0;
  case KQ_SO_RCVBUF:    *level = SOL_SOCKET; *name = SO_RCVBUF; return 0;
  case KQ_SO_SNDBUF:    *level = SOL_SOCKET; *name = SO_SNDBUF; return 0;
  case KQ_SO_OOBINLINE: *level = SOL_SOCKET; *name = SO_OOBINLINE; return 0;
  case KQ_TCP_USER_TIMEOUT:
#ifdef TCP_USER_TIMEOUT
    *level = IPPROTO_TCP; *name = TCP_USER_TIMEOUT; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_KEEPIDLE:
#if defined(TCP_KEEPIDLE)
    *level = IPPROTO_TCP; *name = TCP_KEEPIDLE; return 0;
#elif defined(TCP_KEEPALIVE)
    *level = IPPROTO_TCP; *name = TCP_KEEPALIVE; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_KEEPINTVL:
#ifdef TCP_KEEPINTVL
    *level = IPPROTO_TCP; *name = TCP_KEEPINTVL; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_KEEPCNT:
#ifdef TCP_KEEPCNT
    *level = IPPROTO_TCP; *name = TCP_KEEPCNT; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_NOTSENT_LOWAT:
#ifdef TCP_NOTSENT_LOWAT
    *level = IPPROTO_TCP; *name = TCP_NOTSENT_LOWAT; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_FASTOPEN:
#ifdef TCP_FASTOPEN
    *level = IPPROTO_TCP; *name = TCP_FASTOPEN; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_CORK:
#if defined(TCP_CORK)
    *level = IPPROTO_TCP; *name = TCP_CORK; return 0;
#elif defined(TCP_NOPUSH)
    *level = IPPROTO_TCP; *name = TCP_NOPUSH; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_TCP_QUICKACK:
#ifdef TCP_QUICKACK
    *level = IPPROTO_TCP; *name = TCP_QUICKACK; return 0;
#else
    return -ENOPROTOOPT;
#endif
  case KQ_IPV6_V6ONLY:  *level = IPPROTO_IPV6; *name = IPV6_V6ONLY; return 0;
  default: return -EINVAL;
  }
}

static int kq__option_is_boolean(int option) {
  switch (option) {
  case KQ_SO_REUSEADDR: case KQ_SO_REUSEPORT: case KQ_SO_REUSEPORT_LB: case KQ_TCP_NODELAY:
  case KQ_SO_KEEPALIVE: case KQ_TCP_CORK: case KQ_TCP_QUICKACK: case KQ_IPV6_V6ONLY: case KQ_SO_OOBINLINE:
    return 1;
  default:
    return 0;
  }
}

int kq__socket_family(kq_fd fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) return kq__err();
  return ss.ss_family;
}

int kq__traffic_class_set(kq_fd fd, int value) {
  int family;
  if (value < 0 || value > 255) return -EINVAL;
  if ((family = kq__socket_family(fd)) < 0) return family;
  if (family == AF_INET6) {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &value, sizeof value) == -1) return kq__err();
    /* A dual-stack socket's IPv4 traffic takes IP_TOS: best effort, as Java's channels
     * (an IPv6-only socket refuses it). */
    (void)setsockopt(fd, IPPROTO_IP, IP_TOS, &value, sizeof value);
    return 0;
  }
  if (family != AF_INET) return -ENOPROTOOPT;
  return setsockopt(fd, IPPROTO_IP, IP_TOS, &value, sizeof value) == -1 ? kq__err() : 0;
}

int kq__traffic_class_get(kq_fd fd, int *value) {
  int family, v = 0;
  socklen_t len = sizeof v;
  if ((family = kq__socket_family(fd)) < 0) return family;
  if (family != AF_INET && family != AF_INET6) return -ENOPROTOOPT;
  if (family == AF_INET6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &v, &len) == -1
                         : getsockopt(fd, IPPROTO_IP, IP_TOS, &v, &len) == -1) {
    return kq__err();
  }
  *value = v;
  return 0;
}

int kq_socket_set_option(kq_fd fd, int option, int value) {
  int level, name, r;
  if (option == KQ_SO_LINGER) {
    struct linger l;
    l.l_onoff = value >= 0;
    l.l_linger = value >= 0 ? value : 0;
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == -1 ? kq__err() : 0;
  }
  if (option == KQ_IP_TRAFFIC_CLASS) return kq__traffic_class_set(fd, value);
  if ((r = kq__option_name(option, &level, &name)) < 0) return r;
  return setsockopt(fd, level, name, &value, sizeof value) == -1 ? kq__err() : 0;
}

/*
 * Booleans come back as 0/1. SO_RCVBUF/SO_SNDBUF come back as the kernel keeps them
 * (Linux doubles the value set, socket(7)), the other numbers as set.
 */
int kq_socket_get_option(kq_fd fd, int option, int *value) {
  int level, name, r, v = 0;
  socklen_t len = sizeof v;
  if (value == NULL) return -EINVAL;
  if (option == KQ_SO_LINGER) {
    struct linger l;
    len = sizeof l;
    memset(&l, 0, sizeof l);
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) == -1) return kq__err();
    *value = l.l_onoff ? l.l_linger : -1;
    return 0;
  }
  if (option == KQ_IP_TRAFFIC_CLASS) return kq__traffic_class_get(fd, value);
  if ((r = kq__option_name(option, &level, &name)) < 0) return r;
  if (getsockopt(fd, level, name, &v, &len) == -1) return kq__err();
  *value = kq__option_is_boolean(option) ? (v != 0) : v;
  return 0;
}

/* ---- introspection --------------------------------------------------------------- */

const char *kq_backend_name(void) { return KQ__BACKEND_NAME; }
