/*
 * kq.h - the portable C API of libpekkokq.
 *
 * Read this file first. Everything in libpekkokq is a plain C library with no JNI in
 * it (src/jni/ is a thin skin on top), so it can be tested and run under valgrind
 * without a JVM.
 *
 * THE ERROR RULE (one rule, everywhere): every function returns a value >= 0 on
 * success and -errno on failure. Nothing throws, nothing returns -1 to mean "look at
 * errno". EINTR is retried inside and never returned. EAGAIN is returned as -EAGAIN:
 * it is not an error, it means "wait for the next edge".
 *
 * THE BACKEND CONTRACT: a backend (src/backend/epoll.c, kqueue.c, iocp.c) defines
 * every kq_poller_* function below and nothing else. It must:
 *   - register a descriptor once, for READ and WRITE, edge-triggered (EPOLLET /
 *     EV_CLEAR), with a caller-chosen 64-bit token returned untouched in its events;
 *   - translate kernel flags into the portable KQ_EV_* bits, so no kernel word
 *     (EPOLLIN, EVFILT_READ) ever reaches Java;
 *   - own three internal sources per poller, reported with token 0 and their own bit:
 *     a wake-up channel (eventfd / EVFILT_USER), one timer (timerfd / EVFILT_TIMER),
 *     and, once asked, the process's signal channel (see kq_signal_*); the backend
 *     drains them itself so the caller never issues a syscall for them;
 *   - block in kq_poller_wait with no timeout when asked (-1), retry EINTR.
 */
#ifndef KQ_H
#define KQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* ssize_t (mingw-w64 has it too) */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- descriptors and buffers -------------------------------------------------- */

/*
 * kq_fd: what identifies a socket here. On Linux, macOS and FreeBSD it is the file
 * descriptor, an int, exactly as before kq_fd existed (same ABI). On Windows it is a
 * SOCKET (a pointer-sized handle), carried as intptr_t so that the error rule still
 * holds: a valid SOCKET is never negative (kernel handles are small multiples of 4),
 * and INVALID_SOCKET reads as -1. Windows documents that kernel handles fit 32 bits and
 * may be truncated and sign-extended (this is how Java's `int fd` carries them through
 * JNI: src/jni/glue.h).
 */
#ifdef _WIN32
typedef intptr_t kq_fd;
#else
typedef int kq_fd;
#endif

/*
 * One buffer of a gather/scatter call: the layout of struct iovec on every Unix the
 * library supports (pointer, then size_t length; checked in socket.c), declared here so
 * the header needs no <sys/uio.h>. Windows converts it to WSABUF inside.
 * IMPORTANT: Java writes this layout in place (io.pekkokq.sys.IoVectorArray).
 */
typedef struct kq_iovec {
  void *base;
  size_t len;
} kq_iovec;

/* ---- events ------------------------------------------------------------------ */

/* Portable readiness bits carried by kq_event.bits. */
#define KQ_EV_READABLE 0x01u /* data (or a pending accept, or EOF) can be read */
#define KQ_EV_WRITABLE 0x02u /* the send buffer has room; a pending connect has ended */
#define KQ_EV_HANGUP   0x04u /* the peer shut down its writing side (EPOLLRDHUP, EV_EOF) */
#define KQ_EV_ERROR    0x08u /* an error is pending on the socket (EPOLLERR, EV_ERROR) */
#define KQ_EV_WAKEUP   0x10u /* internal: the poller was woken by kq_poller_wake */
#define KQ_EV_TIMER    0x20u /* internal: the poller's timer expired */
#define KQ_EV_SIGNAL   0x40u /* internal: a signal arrived; token = the signal number */

/*
 * One event as the caller reads it, 16 bytes, in an array the caller owns.
 * IMPORTANT: Java reads this layout in place (io.pekkokq.sys.EventArray); the
 * size is exported through sizeofEvent0() and checked when the library loads.
 */
typedef struct kq_event {
  uint64_t token; /* the token given to kq_poller_add; 0 for internal events */
  uint32_t bits;  /* KQ_EV_* */
  uint32_t reserved;
} kq_event;

/* ---- poller ------------------------------------------------------------------ */

typedef struct kq_poller kq_poller;

/* Interest for kq_poller_add / kq_poller_modify. */
#define KQ_INTEREST_READ  0x1
#define KQ_INTEREST_WRITE 0x2

/* Creates a poller whose waits return at most max_events events. */
int kq_poller_open(kq_poller **out, int max_events);
/* Closes the poller and its internal descriptors, frees it. Not thread-safe with wait. */
int kq_poller_close(kq_poller *p);
/* The descriptor of the kernel queue itself (for diagnostics and tests; Windows: the
 * completion port's handle, truncated as kq_fd explains). */
int kq_poller_fd(const kq_poller *p);

/*
 * Attaches fd once, edge-triggered, for the given interest, reporting token.
 * Tokens whose upper 32 bits are 0 are reserved for the poller's own sources (callers
 * build tokens as generation << 32 | slot with generation >= 1): add and modify
 * reject them with -EINVAL. Add once: adding an fd that is attached already is -EEXIST
 * on epoll and replaces its registration on kqueue (EV_ADD modifies, never duplicates).
 */
int kq_poller_add(kq_poller *p, kq_fd fd, uint64_t token, int interest);
/* Replaces the interest and token of an attached fd. */
int kq_poller_modify(kq_poller *p, kq_fd fd, uint64_t token, int interest);
/* Detaches fd. Closing an fd detaches it too; this is for fds that stay open. */
int kq_poller_delete(kq_poller *p, kq_fd fd);

/*
 * Waits for events and writes at most max of them into out. timeout_ms < 0 waits
 * forever, 0 returns at once. Returns the number of events written (0 on timeout).
 * EINTR is retried (with the remaining time when a timeout was given).
 */
int kq_poller_wait(kq_poller *p, kq_event *out, int max, int timeout_ms);

/* Wakes a waiting (or the next) kq_poller_wait from any thread: a KQ_EV_WAKEUP event. */
int kq_poller_wake(kq_poller *p);

/*
 * Arms the poller's single timer to expire once, delay_ns nanoseconds from now
 * (a delay of 0 expires as soon as possible); a negative delay disarms it.
 * Re-arming replaces the previous deadline. Expiry is a KQ_EV_TIMER event.
 */
int kq_poller_set_timer(kq_poller *p, int64_t delay_ns);

/*
 * Starts reporting this process's subscribed signals (kq_signal_subscribe) through
 * this poller as KQ_EV_SIGNAL events whose token is the signal number. At most one
 * poller in the process watches signals; a second call on another poller is -EBUSY.
 */
int kq_poller_watch_signals(kq_poller *p);

/* ---- signals ----------------------------------------------------------------- */

/*
 * Windows has no POSIX signals: there every kq_signal_* call and kq_poller_watch_signals
 * are -EOPNOTSUPP (src/windows/unsupported.c, with the other calls Windows lacks).
 *
 * Installs a handler for signo that forwards it to the watching poller, keeping the
 * previous disposition to restore. Signals the JVM needs (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGQUIT, SIGUSR2, SIGTRAP, SIGKILL, SIGSTOP, SIGPIPE, SIGABRT, SIGCHLD) are
 * refused with -EPERM; an invalid number is -EINVAL. Subscribing twice is a no-op (0).
 */
int kq_signal_subscribe(int signo);
/* Restores the disposition that was in place before kq_signal_subscribe. */
int kq_signal_unsubscribe(int signo);
/* 1 if signo is one the library refuses to take over, 0 if not, -EINVAL if invalid. */
int kq_signal_is_refused(int signo);

/* ---- sockets ----------------------------------------------------------------- */

/*
 * A socket address as Java writes and reads it: 24 bytes, no kernel struct.
 * IMPORTANT: mirrored by io.pekkokq.sys.SocketAddresses.
 */
#define KQ_AF_INET4 4
#define KQ_AF_INET6 6
typedef struct kq_addr {
  uint8_t family;    /* KQ_AF_INET4 or KQ_AF_INET6 */
  uint8_t reserved;
  uint16_t port;     /* host byte order */
  uint32_t scope_id; /* IPv6 scope, else 0 */
  uint8_t bytes[16]; /* 4 or 16 address bytes, network order */
} kq_addr;

/* A TCP socket of the given KQ_AF_* family, non-blocking and close-on-exec. */
kq_fd kq_socket_tcp(int family);
int kq_socket_bind(kq_fd fd, const kq_addr *addr);
int kq_socket_listen(kq_fd fd, int backlog);
/*
 * Accepts up to max pending connections (non-blocking, close-on-exec) into fds.
 * Returns how many (>= 1), or -EAGAIN when none is pending, or -errno.
 */
int kq_socket_accept(kq_fd fd, kq_fd *fds, int max);
/* 0 when connected at once, -EINPROGRESS when pending (wait for KQ_EV_WRITABLE). */
int kq_socket_connect(kq_fd fd, const kq_addr *addr);
/* The outcome of a pending connect: 0, or -the SO_ERROR value (-ECONNREFUSED...). */
int kq_socket_finish_connect(kq_fd fd);
int kq_socket_local_addr(kq_fd fd, kq_addr *out);
int kq_socket_peer_addr(kq_fd fd, kq_addr *out);
/* how: 0 = reading side, 1 = writing side, 2 = both. */
int kq_socket_shutdown(kq_fd fd, int how);

/* Bytes read (0 at end of stream), or -errno. */
ssize_t kq_read(kq_fd fd, void *buf, size_t len);
/* Bytes written, or -errno. Never raises SIGPIPE. */
ssize_t kq_write(kq_fd fd, const void *buf, size_t len);
ssize_t kq_readv(kq_fd fd, const kq_iovec *iov, int iovcnt);
ssize_t kq_writev(kq_fd fd, const kq_iovec *iov, int iovcnt);
/* Sends count bytes of in_fd from offset to the socket; returns bytes sent. */
ssize_t kq_sendfile(kq_fd out_fd, kq_fd in_fd, int64_t offset, int64_t count);
int kq_close(kq_fd fd);
/* A non-blocking, close-on-exec pipe: fds[0] reads, fds[1] writes. */
int kq_pipe(kq_fd fds[2]);
/* Opens a file for reading (close-on-exec, blocking: files are read on a blocking pool). */
kq_fd kq_file_open_read(const char *path);
/* Sets or clears O_NONBLOCK on a descriptor inherited from elsewhere (stdin, a pipe). */
int kq_fd_set_nonblocking(kq_fd fd, int on);

/* Socket options, portable names. */
#define KQ_SO_REUSEADDR  1
#define KQ_SO_REUSEPORT  2
#define KQ_TCP_NODELAY   3
#define KQ_SO_KEEPALIVE  4
#define KQ_SO_RCVBUF     5
#define KQ_SO_SNDBUF     6
#define KQ_SO_LINGER     7 /* value: seconds, or -1 for off */
/*
 * TCP tuning. An option this platform's kernel lacks is -ENOPROTOOPT, from set and get
 * alike, before any system call. Booleans read back as 0/1, the rest as the kernel keeps
 * them.
 */
#define KQ_TCP_USER_TIMEOUT   8 /* ms unacknowledged data may wait before the connection
                                   is dropped; Linux only */
#define KQ_TCP_KEEPIDLE       9 /* s idle before the first keep-alive probe
                                   (TCP_KEEPALIVE on macOS) */
#define KQ_TCP_KEEPINTVL     10 /* s between keep-alive probes */
#define KQ_TCP_KEEPCNT       11 /* unanswered probes before the connection is dropped */
#define KQ_TCP_NOTSENT_LOWAT 12 /* bytes not yet sent above which the socket is not
                                   writable */
#define KQ_TCP_FASTOPEN      13 /* on a listener, before listen: the queue of pending
                                   TCP Fast Open requests (Linux), on/off elsewhere */
#define KQ_TCP_CORK          14 /* boolean: send only full segments (TCP_NOPUSH on BSD) */
#define KQ_TCP_QUICKACK      15 /* boolean: ACK at once, not delayed; Linux only, and
                                   the kernel leaves quick-ack mode by itself */
#define KQ_IPV6_V6ONLY       16 /* boolean: an IPv6 socket refuses IPv4-mapped peers;
                                   before bind; -ENOPROTOOPT on an IPv4 socket */
#define KQ_IP_TRAFFIC_CLASS  17 /* the TOS/traffic class byte: IP_TOS on an IPv4 socket,
                                   IPV6_TCLASS on an IPv6 one */
#define KQ_SO_OOBINLINE      18 /* boolean: urgent data stays in the normal stream (Pekko's
                                   Tcp.SO.OOBInline) */
#define KQ_SO_REUSEPORT_LB   19 /* boolean, before bind: listeners sharing a port with it
                                   get the incoming connections spread over them by the
                                   kernel: SO_REUSEPORT on Linux, SO_REUSEPORT_LB on
                                   FreeBSD; -ENOPROTOOPT where no such balancing exists
                                   (macOS's SO_REUSEPORT only lets the newest listener
                                   take them, Windows has none) */
int kq_socket_set_option(kq_fd fd, int option, int value);
/* Writes the option's value into *value (linger: seconds or -1 for off). */
int kq_socket_get_option(kq_fd fd, int option, int *value);

/* ---- Unix domain sockets (src/unix.c) ------------------------------------------- */

/*
 * A Unix socket's name crosses as bytes and a length, never as a C string: a Linux
 * abstract name starts with NUL and may hold more of them. The forms:
 *   - a path name: 1..kq_unix_name_max()-1 bytes, no NUL (sun_path keeps room for the
 *     terminating NUL): at most 107 bytes on Linux, 103 on macOS and FreeBSD;
 *   - an abstract name (Linux only): name[0] == '\0', at most kq_unix_name_max()
 *     bytes counting that first NUL; not bound to any file. Elsewhere -EOPNOTSUPP;
 *   - the empty name (len 0), given to bind: Linux autobind (the kernel picks a unique
 *     abstract name); read back from a socket: unnamed (an unbound client's name).
 * A name over the limit is -ENAMETOOLONG, a NUL inside a path name -EINVAL (the kernel
 * would silently cut the name there), before any system call.
 */
/* sizeof(sun_path): 108 on Linux, 104 on macOS and FreeBSD. */
int kq_unix_name_max(void);
/* An AF_UNIX stream socket, non-blocking and close-on-exec. */
kq_fd kq_socket_unix(void);
/* Binds fd to name. An existing file at a path name is -EADDRINUSE: never removed here. */
int kq_socket_bind_unix(kq_fd fd, const void *name, size_t len);
/*
 * Connects fd to the listener named name: 0 when connected (a Unix connect completes at
 * once on Linux), -EINPROGRESS when pending (wait for KQ_EV_WRITABLE, then
 * kq_socket_finish_connect), -ENOENT when no file has that path name, -ECONNREFUSED when
 * nobody listens on it, -EAGAIN when the listener's accept queue is full (Linux; nothing
 * is pending, a later connect may succeed).
 */
int kq_socket_connect_unix(kq_fd fd, const void *name, size_t len);
/*
 * Writes fd's own name (local) or its peer's name (peer) into out, which holds cap
 * bytes (kq_unix_name_max() is always enough), and returns the name's length: 0 for an
 * unnamed socket; -ENOBUFS when cap is too small; -ENOTCONN (peer) when not connected.
 */
int kq_socket_local_unix(kq_fd fd, void *out, size_t cap);
int kq_socket_peer_unix(kq_fd fd, void *out, size_t cap);

/* Who holds the other end of a connected Unix socket, as the kernel recorded it at connect. */
typedef struct kq_peer_cred {
  int32_t pid;  /* the peer process (Linux SO_PEERCRED, macOS LOCAL_PEERPID); -1 if unknown */
  uint32_t uid; /* its effective user id */
  uint32_t gid; /* its effective group id */
} kq_peer_cred;
/* SO_PEERCRED on Linux; getpeereid (+ LOCAL_PEERPID on macOS) on the BSDs. */
int kq_socket_peer_cred(kq_fd fd, kq_peer_cred *out);
/*
 * Removes the file of a path name, only if it is a socket: 0; -ENOENT when there is no
 * file; -ENOTSOCK (nothing removed) when the file is anything else; -EINVAL for an
 * abstract or empty name, which have no file.
 */
int kq_unix_unlink(const void *name, size_t len);

/* ---- UDP datagrams (src/datagram.c) ---------------------------------------------- */

/*
 * A UDP socket is made here and then named with the TCP calls: kq_socket_bind,
 * kq_socket_connect (0 at once for UDP: it only fixes the peer), kq_socket_local_addr,
 * kq_socket_peer_addr, kq_socket_set_option (REUSEADDR, REUSEPORT, RCVBUF, SNDBUF) and
 * kq_close. What only datagrams have is below.
 *
 * Datagrams cross in batches: an array of kq_dgram records the caller owns (Java reads
 * and writes it in place, io.pekkokq.sys.DatagramBatch), each pointing at its payload in
 * caller-owned native memory. One call moves up to KQ_DGRAM_BATCH_MAX datagrams: Linux
 * makes one recvmmsg(2) / sendmmsg(2); the BSDs and macOS loop recvmsg(2) / sendmsg(2).
 * IMPORTANT: mirrored by io.pekkokq.sys.DatagramBatch; the size is checked at load.
 */
#define KQ_DGRAM_BATCH_MAX 64
/* The largest UDP payload: 65,535 minus the UDP (8) and IPv4 (20) headers; for IPv6
 * minus the UDP header only (jumbograms are not supported). */
#define KQ_DGRAM_MAX_IPV4 65507
#define KQ_DGRAM_MAX_IPV6 65527
/* kq_dgram.flags: the datagram was longer than capacity; its tail is lost (MSG_TRUNC). */
#define KQ_DGRAM_TRUNCATED 0x1u

typedef struct kq_dgram {
  uint64_t data;     /* in: the native address of the payload */
  uint32_t capacity; /* in: receive: room at data; send: the datagram's length */
  uint32_t length;   /* out: bytes received (at most capacity) or sent */
  uint32_t flags;    /* out, receive: KQ_DGRAM_TRUNCATED */
  uint32_t reserved;
  kq_addr addr;      /* receive, out: the sender. send, in: the destination, or family 0
                      * on a connected socket (the peer given to kq_socket_connect) */
} kq_dgram;          /* 48 bytes */

/* A UDP socket of the given KQ_AF_* family, non-blocking and close-on-exec. */
kq_fd kq_socket_udp(int family);
/* Dissolves a UDP socket's connection (connect to AF_UNSPEC): it receives from anyone again. */
int kq_dgram_disconnect(kq_fd fd);
/*
 * Receives up to max (1..KQ_DGRAM_BATCH_MAX) waiting datagrams into msgs[0..]: how many
 * (>= 1), -EAGAIN when none waits, or -errno: on a connected socket an ICMP error the
 * peer's host sent back (-ECONNREFUSED: nobody listens on that port). An error met after
 * the first datagram ends the batch and is reported by the next call.
 */
int kq_dgram_recv(kq_fd fd, kq_dgram *msgs, int max);
/*
 * Sends msgs[0..max-1] (max 1..KQ_DGRAM_BATCH_MAX), each as one datagram, in order: how
 * many were sent (>= 1; fewer than max when the send buffer filled up or a later one
 * failed, which the next call reports), -EAGAIN when none could be, or -errno.
 * A datagram longer than the family's limit (KQ_DGRAM_MAX_IPV4 / _IPV6) is -EMSGSIZE
 * before any system call; the kernel may refuse smaller ones with -EMSGSIZE too
 * (macOS: net.inet.udp.maxdgram, 9,216 bytes by default).
 */
int kq_dgram_send(kq_fd fd, kq_dgram *msgs, int max);

/* Datagram-only options (kq_socket_set_option has the common ones). */
#define KQ_DGRAM_BROADCAST     1 /* SO_BROADCAST: may send to a broadcast address */
#define KQ_DGRAM_TRAFFIC_CLASS 2 /* IP_TOS, and IPV6_TCLASS on an IPv6 socket: 0..255 */
#define KQ_DGRAM_MULTICAST_LOOP 3 /* IP(V6)_MULTICAST_LOOP: own multicast sends come back */
int kq_dgram_set_option(kq_fd fd, int option, int value);
int kq_dgram_get_option(kq_fd fd, int option, int *value);
/*
 * Joins (join = 1) or leaves (join = 0) the multicast group `group` on the interface
 * with index ifindex (0: the one the routing table picks). An IPv4 group may also be
 * joined on an IPv6 socket (Linux). -EINVAL for a group of an unknown family.
 */
int kq_dgram_membership(kq_fd fd, const kq_addr *group, int ifindex, int join);

/* ---- introspection ----------------------------------------------------------- */

/* The name of the compiled backend: "epoll", "kqueue" or "iocp" (Windows). */
const char *kq_backend_name(void);

#ifdef __cplusplus
}
#endif
#endif /* KQ_H */
