/*
 * windows/socket.c - the socket half of kq.h on Winsock 2, under the same error rule:
 * >= 0 on success, -errno on failure, with mingw-w64's <errno.h> numbers (the JNI glue
 * hands those to Java through errnoConstant0, so Java never sees a WSA code).
 *
 * Sockets are made non-blocking (FIONBIO) and non-inheritable (the Windows counterpart
 * of close-on-exec), IPv6 ones dual-stack like Linux's default. Windows has no SIGPIPE.
 *
 * The one thing that is not a plain translation: the iocp backend emulates edge
 * triggering (src/backend/iocp.c), and learns from here when an edge was used up. A read
 * that answers -EAGAIN or fewer bytes than asked (the socket is drained), a write that
 * answers -EAGAIN or fewer bytes than given (the buffer is full), an accept that finds
 * nothing and a connect that is pending call kq__iocp_rearm, so the next readiness of
 * that kind is reported again, as epoll reports a new edge.
 *
 * Not on Windows (each a clear -EOPNOTSUPP, see docs/limitations.md): kq_sendfile,
 * kq_pipe, kq_file_open_read, kq_fd_set_nonblocking on anything but a socket, and
 * KQ_SO_REUSEPORT.
 *
 * Next to read: src/backend/iocp.c.
 */
#include <limits.h>
#include <string.h>

#include "internal.h"

/* ---- errors ---------------------------------------------------------------------- */

int kq__win_errno(unsigned long code) {
  switch (code) {
  case WSAEWOULDBLOCK: return -EAGAIN;
  case WSAEINPROGRESS: return -EINPROGRESS;
  case WSAEALREADY: return -EALREADY;
  case WSAENOTSOCK: return -ENOTSOCK;
  case WSAEBADF:
  case ERROR_INVALID_HANDLE: return -EBADF;
  case WSAEMSGSIZE: return -EMSGSIZE;
  case WSAENOPROTOOPT: return -ENOPROTOOPT;
  case WSAEAFNOSUPPORT:
  case WSAEPFNOSUPPORT: return -EAFNOSUPPORT;
  case WSAEOPNOTSUPP: return -EOPNOTSUPP;
  case WSAEADDRINUSE: return -EADDRINUSE;
  case WSAEADDRNOTAVAIL: return -EADDRNOTAVAIL;
  case WSAENETDOWN: return -ENETDOWN;
  case WSAENETUNREACH: return -ENETUNREACH;
  case WSAENETRESET: return -ENETRESET;
  case WSAECONNABORTED: return -ECONNABORTED;
  case WSAECONNRESET: return -ECONNRESET;
  case WSAENOBUFS: return -ENOBUFS;
  case WSAEISCONN: return -EISCONN;
  case WSAENOTCONN: return -ENOTCONN;
  case WSAESHUTDOWN: return -EPIPE; /* writing after shutdown(SD_SEND): EPIPE on Unix */
  case WSAETIMEDOUT: return -ETIMEDOUT;
  case WSAECONNREFUSED: return -ECONNREFUSED;
  case WSAEHOSTUNREACH: return -EHOSTUNREACH;
  case WSAEMFILE: return -EMFILE;
  case WSAEACCES:
  case ERROR_ACCESS_DENIED: return -EACCES;
  case WSAEINTR: return -EINTR;
  case WSAEINVAL:
  case WSAEFAULT:
  case ERROR_INVALID_PARAMETER: return -EINVAL;
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY: return -ENOMEM;
  case ERROR_NOT_SUPPORTED: return -EOPNOTSUPP;
  default: return -EIO;
  }
}

int kq__wsa_err(void) { return kq__win_errno((unsigned long)WSAGetLastError()); }

/* Winsock must be started once per process before its first call; never stopped (the
 * library lives as long as the process, like the JVM's own Winsock use). */
static INIT_ONCE kq__wsa_once = INIT_ONCE_STATIC_INIT;
static int kq__wsa_status;

static BOOL CALLBACK kq__wsa_start(PINIT_ONCE once, PVOID arg, PVOID *ctx) {
  WSADATA data;
  int r = WSAStartup(MAKEWORD(2, 2), &data);
  (void)once, (void)arg, (void)ctx;
  kq__wsa_status = r == 0 ? 0 : kq__win_errno((unsigned long)r);
  return TRUE;
}

int kq__wsa_init(void) {
  InitOnceExecuteOnce(&kq__wsa_once, kq__wsa_start, NULL, NULL);
  return kq__wsa_status;
}

#define KQ__SOCK(fd) ((SOCKET)(uintptr_t)(fd))

/* Non-blocking and not inherited by child processes: what every new socket gets. */
static kq_fd kq__socket_setup(SOCKET s) {
  u_long on = 1;
  int r;
  if (ioctlsocket(s, FIONBIO, &on) != 0) {
    r = kq__wsa_err();
  } else if (!SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0)) {
    r = kq__win_errno(GetLastError());
  } else {
    return (kq_fd)s;
  }
  closesocket(s);
  return r;
}

static kq_fd kq__socket(int af, int type, int proto) {
  SOCKET s;
  int r;
  if ((r = kq__wsa_init()) < 0) return r;
  s = WSASocketW(af, type, proto, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return kq__wsa_err();
  if (af == AF_INET6) {
    DWORD off = 0; /* dual-stack, as Linux's default (Windows defaults to v6-only) */
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&off, sizeof off);
  }
  return kq__socket_setup(s);
}

/* ---- addresses ------------------------------------------------------------------- */

typedef int(WSAAPI *kq__name_fn)(SOCKET, struct sockaddr *, int *);

static int kq__socket_name(kq_fd fd, kq_addr *out, kq__name_fn fn) {
  struct sockaddr_storage ss;
  int len = sizeof ss;
  if (out == NULL) return -EINVAL;
  memset(&ss, 0, sizeof ss);
  if (fn(KQ__SOCK(fd), (struct sockaddr *)&ss, &len) != 0) return kq__wsa_err();
  return kq__addr_from_sockaddr(&ss, out);
}

int kq_socket_local_addr(kq_fd fd, kq_addr *out) {
  return kq__socket_name(fd, out, getsockname);
}

int kq_socket_peer_addr(kq_fd fd, kq_addr *out) {
  return kq__socket_name(fd, out, getpeername);
}

/* ---- socket lifecycle ------------------------------------------------------------ */

kq_fd kq_socket_tcp(int family) {
  if (family == KQ_AF_INET4) return kq__socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (family == KQ_AF_INET6) return kq__socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
  return -EINVAL;
}

int kq_socket_bind(kq_fd fd, const kq_addr *addr) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int r = kq__addr_to_sockaddr(addr, &ss, &len);
  if (r < 0) return r;
  return bind(KQ__SOCK(fd), (struct sockaddr *)&ss, len) != 0 ? kq__wsa_err() : 0;
}

int kq_socket_listen(kq_fd fd, int backlog) {
  return listen(KQ__SOCK(fd), backlog) != 0 ? kq__wsa_err() : 0;
}

int kq_socket_accept(kq_fd fd, kq_fd *fds, int max) {
  int n = 0;
  if (fds == NULL || max <= 0) return -EINVAL;
  while (n < max) {
    SOCKET s = accept(KQ__SOCK(fd), NULL, NULL);
    kq_fd r;
    if (s == INVALID_SOCKET) {
      r = kq__wsa_err();
      if (r == -EAGAIN) kq__iocp_rearm(fd, KQ_INTEREST_READ);
      return n > 0 ? n : (int)r; /* the next call meets a later error again */
    }
    if ((r = kq__socket_setup(s)) < 0) return n > 0 ? n : (int)r;
    fds[n++] = r;
  }
  return n;
}

int kq_socket_connect(kq_fd fd, const kq_addr *addr) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int r = kq__addr_to_sockaddr(addr, &ss, &len);
  if (r < 0) return r;
  if (connect(KQ__SOCK(fd), (struct sockaddr *)&ss, len) == 0) return 0;
  r = kq__wsa_err();
  /* A non-blocking connect under way is WSAEWOULDBLOCK here, EINPROGRESS on Unix. */
  if (r == -EAGAIN || r == -EINPROGRESS) {
    kq__iocp_rearm(fd, KQ_INTEREST_WRITE);
    return -EINPROGRESS;
  }
  return r;
}

int kq_socket_finish_connect(kq_fd fd) {
  int err = 0, len = sizeof err;
  if (getsockopt(KQ__SOCK(fd), SOL_SOCKET, SO_ERROR, (char *)&err, &len) != 0) {
    return kq__wsa_err();
  }
  return err == 0 ? 0 : kq__win_errno((unsigned long)err);
}

int kq_socket_shutdown(kq_fd fd, int how) {
  static const int hows[] = {SD_RECEIVE, SD_SEND, SD_BOTH};
  if (how < 0 || how > 2) return -EINVAL;
  return shutdown(KQ__SOCK(fd), hows[how]) != 0 ? kq__wsa_err() : 0;
}

/* ---- byte I/O -------------------------------------------------------------------- */

/* Winsock counts in int / ULONG: larger requests are cut, which I/O calls may do. */
static int kq__io_len(size_t len) { return len > INT_MAX ? INT_MAX : (int)len; }

ssize_t kq_read(kq_fd fd, void *buf, size_t len) {
  int want = kq__io_len(len), r = recv(KQ__SOCK(fd), buf, want, 0);
  if (r == SOCKET_ERROR) {
    r = kq__wsa_err();
    if (r == -EAGAIN) kq__iocp_rearm(fd, KQ_INTEREST_READ);
    return r;
  }
  if (r > 0 && r < want) kq__iocp_rearm(fd, KQ_INTEREST_READ); /* drained */
  return r;
}

ssize_t kq_write(kq_fd fd, const void *buf, size_t len) {
  int want = kq__io_len(len), r = send(KQ__SOCK(fd), buf, want, 0);
  if (r == SOCKET_ERROR) {
    r = kq__wsa_err();
    if (r == -EAGAIN) kq__iocp_rearm(fd, KQ_INTEREST_WRITE);
    return r;
  }
  if (r < want) kq__iocp_rearm(fd, KQ_INTEREST_WRITE); /* the send buffer filled up */
  return r;
}

/*
 * kq_iovec -> WSABUF, at most KQ__WSABUF_MAX buffers per call (a gather/scatter call
 * may move fewer bytes than asked; callers loop, as on Unix). Returns the buffer count
 * and the bytes they hold, or -EINVAL.
 */
#define KQ__WSABUF_MAX 64
static int kq__wsabufs(const kq_iovec *iov, int iovcnt, WSABUF *bufs, size_t *total) {
  int n = iovcnt < KQ__WSABUF_MAX ? iovcnt : KQ__WSABUF_MAX;
  if (iov == NULL || iovcnt <= 0) return -EINVAL;
  *total = 0;
  for (int i = 0; i < n; i++) {
    bufs[i].buf = iov[i].base;
    bufs[i].len = (ULONG)kq__io_len(iov[i].len);
    *total += bufs[i].len;
  }
  return n;
}

ssize_t kq_readv(kq_fd fd, const kq_iovec *iov, int iovcnt) {
  WSABUF bufs[KQ__WSABUF_MAX];
  DWORD got = 0, flags = 0;
  size_t total;
  int n = kq__wsabufs(iov, iovcnt, bufs, &total), r;
  if (n < 0) return n;
  if (WSARecv(KQ__SOCK(fd), bufs, (DWORD)n, &got, &flags, NULL, NULL) != 0) {
    r = kq__wsa_err();
    if (r == -EAGAIN) kq__iocp_rearm(fd, KQ_INTEREST_READ);
    return r;
  }
  if (got > 0 && got < total) kq__iocp_rearm(fd, KQ_INTEREST_READ);
  return (ssize_t)got;
}

ssize_t kq_writev(kq_fd fd, const kq_iovec *iov, int iovcnt) {
  WSABUF bufs[KQ__WSABUF_MAX];
  DWORD sent = 0;
  size_t total;
  int n = kq__wsabufs(iov, iovcnt, bufs, &total), r;
  if (n < 0) return n;
  if (WSASend(KQ__SOCK(fd), bufs, (DWORD)n, &sent, 0, NULL, NULL) != 0) {
    r = kq__wsa_err();
    if (r == -EAGAIN) kq__iocp_rearm(fd, KQ_INTEREST_WRITE);
    return r;
  }
  if (sent < total) kq__iocp_rearm(fd, KQ_INTEREST_WRITE);
  return (ssize_t)sent;
}

ssize_t kq_sendfile(kq_fd out_fd, kq_fd in_fd, int64_t offset, int64_t count) {
  (void)out_fd, (void)in_fd, (void)offset, (void)count;
  return -EOPNOTSUPP; /* TransmitFile is overlapped-only for non-blocking use: not done */
}

int kq_close(kq_fd fd) {
  if (fd < 0) return -EBADF;
  /* Detach first: a later socket may get the same handle value before the poller has
   * seen this one's AFD_POLL_LOCAL_CLOSE. */
  kq__iocp_forget(fd);
  return closesocket(KQ__SOCK(fd)) != 0 ? kq__wsa_err() : 0;
}

int kq_pipe(kq_fd fds[2]) {
  (void)fds;
  return -EOPNOTSUPP; /* AFD polls sockets only; an anonymous pipe cannot be polled */
}

kq_fd kq_file_open_read(const char *path) {
  (void)path;
  return -EOPNOTSUPP;
}

int kq_fd_set_nonblocking(kq_fd fd, int on) {
  u_long value = on != 0;
  return ioctlsocket(KQ__SOCK(fd), FIONBIO, &value) != 0 ? kq__wsa_err() : 0;
}

/* ---- options --------------------------------------------------------------------- */

static int kq__option_name(int option, int *level, int *name) {
  switch (option) {
  case KQ_SO_REUSEADDR: *level = SOL_SOCKET; *name = SO_REUSEADDR; return 0;
  case KQ_SO_REUSEPORT: return -EOPNOTSUPP; /* Windows has no SO_REUSEPORT */
  case KQ_TCP_NODELAY:  *level = IPPROTO_TCP; *name = TCP_NODELAY; return 0;
  case KQ_SO_KEEPALIVE: *level = SOL_SOCKET; *name = SO_KEEPALIVE; return 0;
  case KQ_SO_RCVBUF:    *level = SOL_SOCKET; *name = SO_RCVBUF; return 0;
  case KQ_SO_SNDBUF:    *level = SOL_SOCKET; *name = SO_SNDBUF; return 0;
  case KQ_SO_OOBINLINE: *level = SOL_SOCKET; *name = SO_OOBINLINE; return 0;
  case KQ_IPV6_V6ONLY:  *level = IPPROTO_IPV6; *name = IPV6_V6ONLY; return 0;
  /* Not mapped on Windows (the option this platform lacks, as kq.h promises): the TCP
   * tuning options, whose Winsock names and units differ, and the traffic class, which
   * Winsock accepts and ignores (its QoS API sets DSCP instead). */
  case KQ_TCP_USER_TIMEOUT: case KQ_TCP_KEEPIDLE: case KQ_TCP_KEEPINTVL: case KQ_TCP_KEEPCNT:
  case KQ_TCP_NOTSENT_LOWAT: case KQ_TCP_FASTOPEN: case KQ_TCP_CORK: case KQ_TCP_QUICKACK:
  case KQ_IP_TRAFFIC_CLASS: case KQ_SO_REUSEPORT_LB:
    return -ENOPROTOOPT;
  default: return -EINVAL;
  }
}

int kq_socket_set_option(kq_fd fd, int option, int value) {
  int level, name, r;
  if (option == KQ_SO_LINGER) {
    struct linger l;
    l.l_onoff = value >= 0;
    l.l_linger = (u_short)(value >= 0 ? (value > 65535 ? 65535 : value) : 0);
    return setsockopt(KQ__SOCK(fd), SOL_SOCKET, SO_LINGER, (const char *)&l, sizeof l) != 0
               ? kq__wsa_err() : 0;
  }
  if ((r = kq__option_name(option, &level, &name)) < 0) return r;
  return setsockopt(KQ__SOCK(fd), level, name, (const char *)&value, sizeof value) != 0
             ? kq__wsa_err() : 0;
}

int kq_socket_get_option(kq_fd fd, int option, int *value) {
  int level, name, r, v = 0, len = sizeof v;
  if (value == NULL) return -EINVAL;
  if (option == KQ_SO_LINGER) {
    struct linger l;
    len = sizeof l;
    memset(&l, 0, sizeof l);
    if (getsockopt(KQ__SOCK(fd), SOL_SOCKET, SO_LINGER, (char *)&l, &len) != 0) {
      return kq__wsa_err();
    }
    *value = l.l_onoff ? l.l_linger : -1;
    return 0;
  }
  if ((r = kq__option_name(option, &level, &name)) < 0) return r;
  if (getsockopt(KQ__SOCK(fd), level, name, (char *)&v, &len) != 0) return kq__wsa_err();
  *value = (option == KQ_SO_RCVBUF || option == KQ_SO_SNDBUF) ? v : (v != 0);
  return 0;
}

/* ---- introspection --------------------------------------------------------------- */

const char *kq_backend_name(void) { return KQ__BACKEND_NAME; }
