/*
 * internal.h - kq__ helpers shared by the C files of libpekkokq (never by Java).
 *
 * Everything kernel-specific that socket.c and signal.c cannot avoid lives here, in
 * one #if block per difference, so those files read the same on every kernel:
 * MSG_NOSIGNAL vs SO_NOSIGPIPE, SOCK_NONBLOCK|SOCK_CLOEXEC vs fcntl, pipe2, accept4,
 * sendfile. The backends (src/backend/) are kernel-specific by nature; what they share
 * is src/poller_common.c, whose contract with them is the "poller" section below.
 *
 * Next to read: src/poller_common.c, then src/backend/epoll.c, then src/socket.c.
 */
#ifndef KQ_INTERNAL_H
#define KQ_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef _WIN32
/* Windows (src/windows/, src/backend/iocp.c): Winsock 2 for sockets, no fcntl. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "kq.h"

/*
 * Runs `call` (a syscall returning -1 + errno on failure) until it does not fail with
 * EINTR, and stores its result in `res`. The one EINTR rule of kq.h. Do NOT use it for
 * close(2): see kq_close.
 */
#define KQ__RETRY(res, call)                                                           \
  do {                                                                                 \
    (res) = (call);                                                                    \
  } while ((res) == -1 && errno == EINTR)

/* The -errno of the last failed call, for the `return -errno` rule. */
static inline int kq__err(void) { return errno > 0 ? -errno : -EIO; }

/* AF_INET, AF_INET6 or AF_UNIX of a socket (getsockname), or -errno. socket.c */
int kq__socket_family(kq_fd fd);
/*
 * The traffic class byte (0..255, else -EINVAL) of an IP socket, TCP or UDP: IP_TOS on an
 * IPv4 socket, IPV6_TCLASS on an IPv6 one (and IP_TOS too, for its IPv4-mapped peers);
 * -ENOPROTOOPT on a socket of another family. socket.c
 */
int kq__traffic_class_set(kq_fd fd, int value);
int kq__traffic_class_get(kq_fd fd, int *value);

#ifndef _WIN32
/* Sets FD_CLOEXEC (fcntl(2)); for kernels lacking the atomic SOCK_CLOEXEC/O_CLOEXEC. */
static inline int kq__set_cloexec(int fd) {
  int flags, r;
  KQ__RETRY(flags, fcntl(fd, F_GETFD));
  if (flags == -1) return kq__err();
  if (flags & FD_CLOEXEC) return 0;
  KQ__RETRY(r, fcntl(fd, F_SETFD, flags | FD_CLOEXEC));
  return r == -1 ? kq__err() : 0;
}

/* Sets or clears O_NONBLOCK (fcntl(2)); no syscall when it is already as wanted. */
static inline int kq__set_nonblock(int fd, int on) {
  int flags, want, r;
  KQ__RETRY(flags, fcntl(fd, F_GETFL));
  if (flags == -1) return kq__err();
  want = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (want == flags) return 0;
  KQ__RETRY(r, fcntl(fd, F_SETFL, want));
  return r == -1 ? kq__err() : 0;
}
#endif /* !_WIN32 */

/* ---- kernel differences ---------------------------------------------------------- */

#if defined(__linux__) || defined(__FreeBSD__)
/*
 * Linux and FreeBSD have MSG_NOSIGNAL (send(2)) and the atomic SOCK_NONBLOCK |
 * SOCK_CLOEXEC flags of socket(2)/accept4(2), and pipe2(2): no window in which a
 * concurrent fork+exec in the JVM could inherit the descriptor.
 */
#define KQ__SEND_FLAGS MSG_NOSIGNAL

static inline int kq__socket(int domain, int type) {
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd == -1 ? kq__err() : fd;
}

static inline int kq__accept(int fd) {
  int r;
  KQ__RETRY(r, accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
  return r == -1 ? kq__err() : r;
}

static inline int kq__pipe(int fds[2]) {
  return pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1 ? kq__err() : 0;
}
#elif defined(__APPLE__)
/*
 * macOS: no MSG_NOSIGNAL, no SOCK_CLOEXEC, no accept4, no pipe2. SIGPIPE is suppressed
 * per socket with SO_NOSIGPIPE (set again on accepted sockets rather than trusting
 * inheritance), and the flags are set with fcntl right after creation (a small fork
 * race the JVM tolerates on macOS too). accept(2) on BSD kernels copies O_NONBLOCK
 * from the listener, but FD_CLOEXEC never, so both are set explicitly.
 */
#define KQ__SEND_FLAGS 0

static inline int kq__socket_setup(int fd) {
  int one = 1, r;
  if ((r = kq__set_cloexec(fd)) < 0 || (r = kq__set_nonblock(fd, 1)) < 0) goto fail;
  if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) == -1) {
    r = kq__err();
    goto fail;
  }
  return fd;
fail:
  close(fd);
  return r;
}

static inline int kq__socket(int domain, int type) {
  int fd = socket(domain, type, 0);
  return fd == -1 ? kq__err() : kq__socket_setup(fd);
}

static inline int kq__accept(int fd) {
  int r;
  KQ__RETRY(r, accept(fd, NULL, NULL));
  return r == -1 ? kq__err() : kq__socket_setup(r);
}

static inline int kq__pipe(int fds[2]) {
  int r;
  if (pipe(fds) == -1) return kq__err();
  for (int i = 0; i < 2; i++) {
    if ((r = kq__set_cloexec(fds[i])) < 0 || (r = kq__set_nonblock(fds[i], 1)) < 0) {
      close(fds[0]);
      close(fds[1]);
      return r;
    }
  }
  return 0;
}
#elif defined(_WIN32)
/*
 * Windows: Winsock sockets, made non-inheritable (WSA_FLAG_NO_HANDLE_INHERIT, the
 * counterpart of close-on-exec) and non-blocking (FIONBIO). No SIGPIPE exists. The
 * Windows half of the library is src/windows/ (sockets, and a clear -ENOTSUP for what
 * it does not offer) with the backend src/backend/iocp.c.
 */
/* A Win32 or Winsock error code as -errno (mingw-w64's <errno.h> numbers; WSAEWOULDBLOCK
 * is -EAGAIN), -EIO for a code with no counterpart. */
int kq__win_errno(unsigned long code);
/* Winsock's last error (WSAGetLastError) as -errno. */
int kq__wsa_err(void);
/* Starts Winsock once per process (WSAStartup): 0, or -errno. */
int kq__wsa_init(void);
/*
 * The hook of the edge-triggered emulation (src/backend/iocp.c): the socket just
 * answered -EAGAIN for reading (KQ_INTEREST_READ) or writing (KQ_INTEREST_WRITE), so
 * the next readiness of that kind is a new edge to report. Cheap when the socket is
 * not registered with any poller.
 */
void kq__iocp_rearm(kq_fd fd, int interest);
/* Detaches fd from its poller, if any, before kq_close closes the socket. */
void kq__iocp_forget(kq_fd fd);
/* Monotonic nanoseconds (QueryPerformanceCounter; GetTickCount64 moves in 15.6 ms steps). */
int64_t kq__win_now_ns(void);
#else
#error "libpekkokq supports Linux, macOS, FreeBSD and Windows (see internal.h)"
#endif

/*
 * One sendfile(2) call: bytes sent (possibly fewer than count), or -errno. The
 * kernel-specific part of kq_sendfile; the argument checks are in socket.c.
 */
#if defined(_WIN32)
/* No sendfile here: kq_sendfile is -ENOTSUP on Windows (src/windows/socket.c). */
#elif defined(__linux__)
#include <sys/sendfile.h>
static inline ssize_t kq__sendfile(int out_fd, int in_fd, int64_t offset, size_t count) {
  off_t off = (off_t)offset; /* a copy: sendfile(2) advances it, the caller tracks position */
  ssize_t r;
  KQ__RETRY(r, sendfile(out_fd, in_fd, &off, count));
  return r == -1 ? kq__err() : r;
}
#else
#include <sys/uio.h>
/*
 * BSD sendfile(2), file first and socket second (the reverse of Linux), with the
 * offset by value and the bytes sent returned through an off_t: macOS's `len` is in
 * and out, FreeBSD's `sbytes` is out only. A count of 0 would mean "to end of file"
 * on both; socket.c never passes 0. On EAGAIN (non-blocking socket full) and EINTR
 * both report the bytes already sent, which count as success; on any other error
 * the out value is not to be trusted, so errno decides before len is looked at.
 * (Compiled for macOS, never executed: the kqueue tests on libkqueue are Linux builds.)
 */
static inline ssize_t kq__sendfile(int out_fd, int in_fd, int64_t offset, size_t count) {
  for (;;) {
#if defined(__APPLE__)
    off_t len = (off_t)count;
    int r = sendfile(in_fd, out_fd, (off_t)offset, &len, NULL, 0);
#else
    off_t len = 0;
    int r = sendfile(in_fd, out_fd, (off_t)offset, count, NULL, &len, 0);
#endif
    if (r == 0) return (ssize_t)len;
    if (errno != EAGAIN && errno != EINTR) return kq__err();
    if (len > 0) return (ssize_t)len;
    if (errno == EAGAIN) return -EAGAIN;
  }
}
#endif

/* ---- addresses (socket.c), shared with datagram.c ------------------------------- */

/* kq_addr -> sockaddr: 0 and the length in *len, or -EINVAL for a null or unknown family. */
int kq__addr_to_sockaddr(const kq_addr *a, struct sockaddr_storage *ss, socklen_t *len);
/* sockaddr -> kq_addr: 0, or -EAFNOSUPPORT for a family other than AF_INET/AF_INET6. */
int kq__addr_from_sockaddr(const struct sockaddr_storage *ss, kq_addr *a);

/* ---- the poller: the shared half (poller_common.c) and what a backend defines ---- */

/*
 * poller_common.c defines every kq_poller_* of kq.h once: argument checks, reserved
 * tokens, the signal-pipe watch and drain, and the wait's EINTR/deadline loop. It then
 * calls the kq__backend_* hooks below, which each backend (src/backend/) defines with
 * its own system calls and flag translation and nothing else. Exactly one backend is
 * linked, so the hooks are plain functions.
 *
 * Reserved tokens: caller tokens are (generation << 32 | slot) with generation >= 1,
 * so any value with a zero upper half is free for internal sources; add and modify
 * reject such tokens with -EINVAL before the backend sees them.
 */
#define KQ__TOKEN_WAKE   UINT64_C(1)
#define KQ__TOKEN_TIMER  UINT64_C(2)
#define KQ__TOKEN_SIGNAL UINT64_C(3)
#define KQ__TOKEN_IS_RESERVED(t) (((t) >> 32) == 0)

/* Upper bound of max_events: epoll_wait(2) rejects more than INT_MAX/sizeof(event). */
#define KQ__MAX_EVENTS (1 << 20)

/*
 * The part of a poller that poller_common.c owns. It is the FIRST member (named
 * `common`) of each backend's struct kq_poller, so a kq_poller * converts to it
 * (C11 6.7.2.1: a pointer to a struct points to its first member).
 */
typedef struct kq__poller_common {
  int sigfd;    /* the signal pipe's read end while watching, else -1 (not owned) */
  int capacity; /* most events one wait may return: the backend's kernel array size */
} kq__poller_common;

#define KQ__COMMON(p) ((kq__poller_common *)(void *)(p))

/*
 * The backend hooks. Arguments are already checked (p != NULL, token not reserved,
 * interest within READ|WRITE, max in [1, capacity]); each returns >= 0 or -errno.
 */
/* Allocates a poller with room for `capacity` kernel events; common is zeroed. */
int kq__backend_open(kq_poller **out, int capacity);
/* Closes the poller's own descriptors and frees it (the signal pipe is not its own). */
void kq__backend_free(kq_poller *p);
/* The kernel queue's descriptor. */
int kq__backend_fd(const kq_poller *p);
/* Attaches (add = 1) or changes (add = 0) fd, edge-triggered, for interest. */
int kq__backend_register(kq_poller *p, kq_fd fd, uint64_t token, int interest, int add);
int kq__backend_delete(kq_poller *p, kq_fd fd);
int kq__backend_wake(kq_poller *p);
/* Arms the one-shot timer delay_ns (>= 1) from now, or disarms it (delay_ns < 0). */
int kq__backend_set_timer(kq_poller *p, int64_t delay_ns);
/* Watches fd level-triggered for reading, reported to wait_once as KQ__TOKEN_SIGNAL. */
int kq__backend_watch_signal_fd(kq_poller *p, int fd);
/*
 * One kernel wait of at most timeout_ms (< 0: forever): writes up to max caller events
 * (wake-up, timer, descriptors) into out, draining the internal sources, and sets
 * *signals when the signal pipe was reported (poller_common.c drains it into the room
 * left). Returns the number written (0: timed out, or only internal sources with
 * nothing left), -EINTR when interrupted (the caller retries), or -errno.
 */
int kq__backend_wait_once(kq_poller *p, kq_event *out, int max, int timeout_ms,
                          int *signals);

/* ---- signals (signal.c), used by the poller and the JNI glue -------------------- */

/*
 * The read end of the process-wide signal pipe (created on first use, never closed:
 * the handler may run at any time until the process exits), or -errno.
 */
int kq__signal_pipe_fd(void);
/* Makes owner the one poller that watches signals: 0, or -EBUSY if another one is. */
int kq__signal_claim(const void *owner);
/* Releases the watcher role if owner holds it (no-op otherwise). */
void kq__signal_release(const void *owner);
/* The number of the signal named "USR1" or "SIGUSR1" (any case), or -EINVAL. */
int kq_signal_number(const char *name);

#endif /* KQ_INTERNAL_H */
