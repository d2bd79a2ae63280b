/*
 * windows/unsupported.c - the parts of kq.h the Windows build does not offer, each a
 * clear -EOPNOTSUPP (the kq.h convention for "not on this system", and an errno Java
 * knows: io.pekkokq.sys.Errno), never a crash and never a silent no-op:
 *   - signals: Windows has no POSIX signals to forward (console control events are a
 *     different mechanism), so no poller can watch them;
 *   - Unix domain sockets: Windows 10 has AF_UNIX, but it is not ported here;
 *   - UDP datagrams: not ported to Winsock yet.
 * docs/limitations.md lists them.
 */
#include "internal.h"

/* ---- signals --------------------------------------------------------------------- */

int kq__signal_pipe_fd(void) { return -EOPNOTSUPP; }
int kq__signal_claim(const void *owner) { return (void)owner, -EOPNOTSUPP; }
void kq__signal_release(const void *owner) { (void)owner; }
int kq_signal_number(const char *name) { return (void)name, -EOPNOTSUPP; }
int kq_signal_is_refused(int signo) { return (void)signo, -EOPNOTSUPP; }
int kq_signal_subscribe(int signo) { return (void)signo, -EOPNOTSUPP; }
int kq_signal_unsubscribe(int signo) { return (void)signo, -EOPNOTSUPP; }

/* ---- Unix domain sockets --------------------------------------------------------- */

int kq_unix_name_max(void) { return -EOPNOTSUPP; }
kq_fd kq_socket_unix(void) { return -EOPNOTSUPP; }

int kq_socket_bind_unix(kq_fd fd, const void *name, size_t len) {
  return (void)fd, (void)name, (void)len, -EOPNOTSUPP;
}

int kq_socket_connect_unix(kq_fd fd, const void *name, size_t len) {
  return (void)fd, (void)name, (void)len, -EOPNOTSUPP;
}

int kq_socket_local_unix(kq_fd fd, void *out, size_t cap) {
  return (void)fd, (void)out, (void)cap, -EOPNOTSUPP;
}

int kq_socket_peer_unix(kq_fd fd, void *out, size_t cap) {
  return (void)fd, (void)out, (void)cap, -EOPNOTSUPP;
}

int kq_socket_peer_cred(kq_fd fd, kq_peer_cred *out) {
  return (void)fd, (void)out, -EOPNOTSUPP;
}

int kq_unix_unlink(const void *name, size_t len) { return (void)name, (void)len, -EOPNOTSUPP; }

/* ---- UDP datagrams --------------------------------------------------------------- */

kq_fd kq_socket_udp(int family) { return (void)family, -EOPNOTSUPP; }
int kq_dgram_disconnect(kq_fd fd) { return (void)fd, -EOPNOTSUPP; }

int kq_dgram_recv(kq_fd fd, kq_dgram *msgs, int max) {
  return (void)fd, (void)msgs, (void)max, -EOPNOTSUPP;
}

int kq_dgram_send(kq_fd fd, kq_dgram *msgs, int max) {
  return (void)fd, (void)msgs, (void)max, -EOPNOTSUPP;
}

int kq_dgram_set_option(kq_fd fd, int option, int value) {
  return (void)fd, (void)option, (void)value, -EOPNOTSUPP;
}

int kq_dgram_get_option(kq_fd fd, int option, int *value) {
  return (void)fd, (void)option, (void)value, -EOPNOTSUPP;
}

int kq_dgram_membership(kq_fd fd, const kq_addr *group, int ifindex, int join) {
  return (void)fd, (void)group, (void)ifindex, (void)join, -EOPNOTSUPP;
}
