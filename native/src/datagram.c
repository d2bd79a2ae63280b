/*
 * datagram.c - UDP sockets: batched receive and send, datagram-only options and
 * multicast membership, under the error rule of kq.h. Naming (bind, connect, the local
 * and peer address) and the common options are the TCP calls of socket.c.
 *
 * A batch is an array of kq_dgram the caller owns; each record is turned into one
 * msghdr here. Linux moves the batch with one recvmmsg(2) / sendmmsg(2); the other
 * kernels loop recvmsg(2) / sendmsg(2) (FreeBSD has the mmsg calls too, but the loop is
 * what macOS needs, and one path for both keeps the BSD side small). Either way the
 * result is the same: how many datagrams moved, or the error of the first.
 *
 * Next to read: src/jni/datagram.c.
 */
#include <netinet/in.h>
#include <string.h>

#include "internal.h"

/* ---- socket lifecycle ------------------------------------------------------------ */

int kq_socket_udp(int family) {
  if (family == KQ_AF_INET4) return kq__socket(AF_INET, SOCK_DGRAM);
  /* IPV6_V6ONLY left at the system default, as for TCP: usually dual-stack. */
  if (family == KQ_AF_INET6) return kq__socket(AF_INET6, SOCK_DGRAM);
  return -EINVAL;
}

int kq_dgram_disconnect(int fd) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_family = AF_UNSPEC;
  if (connect(fd, (struct sockaddr *)&ss, sizeof ss) == 0) return 0;
  /* The BSDs dissolve the association and still answer EAFNOSUPPORT (connect(2)). */
  if (errno == EAFNOSUPPORT) return 0;
  return kq__err();
}

/* ---- the size limit of a send ---------------------------------------------------- */

/* An IPv6 address of the form ::ffff:a.b.c.d carries IPv4 traffic. */
static int kq__is_v4_mapped(const uint8_t bytes[16]) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(bytes, prefix, sizeof prefix) == 0;
}

/*
 * The largest payload that may go to dest (family 0: the connected peer). Only asked
 * for datagrams over the IPv4 limit, so the peer lookup is off the common path.
 */
static int kq__dgram_limit(int fd, const kq_addr *dest) {
  kq_addr peer;
  if (dest->family == 0) {
    if (kq_socket_peer_addr(fd, &peer) < 0) return KQ_DGRAM_MAX_IPV4;
    dest = &peer;
  }
  if (dest->family == KQ_AF_INET6 && !kq__is_v4_mapped(dest->bytes)) return KQ_DGRAM_MAX_IPV6;
  return KQ_DGRAM_MAX_IPV4;
}

/* ---- one record <-> one msghdr --------------------------------------------------- */

static void kq__recv_hdr(kq_dgram *m, struct msghdr *h, struct iovec *iov,
                         struct sockaddr_storage *from) {
  memset(h, 0, sizeof *h);
  iov->iov_base = (void *)(uintptr_t)m->data;
  iov->iov_len = m->capacity;
  h->msg_name = from;
  h->msg_namelen = sizeof *from;
  h->msg_iov = iov;
  h->msg_iovlen = 1;
}

static void kq__recv_done(kq_dgram *m, const struct msghdr *h, size_t len) {
  m->length = (uint32_t)len;
  m->flags = (h->msg_flags & MSG_TRUNC) ? KQ_DGRAM_TRUNCATED : 0;
  m->reserved = 0;
  /* No sender name (an unusual family): the record says family 0 rather than lying. */
  if (h->msg_namelen == 0 ||
      kq__addr_from_sockaddr((const struct sockaddr_storage *)h->msg_name, &m->addr) < 0) {
    memset(&m->addr, 0, sizeof m->addr);
  }
}

/* Fills h for sending m: 0, -EMSGSIZE over the limit, -EINVAL for a bad destination. */
static int kq__send_hdr(int fd, kq_dgram *m, struct msghdr *h, struct iovec *iov,
                        struct sockaddr_storage *to) {
  socklen_t len = 0;
  memset(h, 0, sizeof *h);
  if (m->capacity > KQ_DGRAM_MAX_IPV4 && (int)m->capacity > kq__dgram_limit(fd, &m->addr)) {
    return -EMSGSIZE;
  }
  if (m->data == 0 && m->capacity > 0) return -EINVAL;
  if (m->addr.family != 0) {
    int r = kq__addr_to_sockaddr(&m->addr, to, &len);
    if (r < 0) return r;
    h->msg_name = to;
    h->msg_namelen = len;
  }
  iov->iov_base = (void *)(uintptr_t)m->data;
  iov->iov_len = m->capacity;
  h->msg_iov = iov;
  h->msg_iovlen = 1;
  return 0;
}

static int kq__batch_ok(const kq_dgram *msgs, int max) {
  return msgs != NULL && max >= 1 && max <= KQ_DGRAM_BATCH_MAX;
}

/* ---- batches --------------------------------------------------------------------- */

#if defined(__linux__)

int kq_dgram_recv(int fd, kq_dgram *msgs, int max) {
  struct mmsghdr hdr[KQ_DGRAM_BATCH_MAX];
  struct iovec iov[KQ_DGRAM_BATCH_MAX];
  struct sockaddr_storage from[KQ_DGRAM_BATCH_MAX];
  int n;
  if (!kq__batch_ok(msgs, max)) return -EINVAL;
  for (int i = 0; i < max; i++) {
    kq__recv_hdr(&msgs[i], &hdr[i].msg_hdr, &iov[i], &from[i]);
    hdr[i].msg_len = 0;
  }
  /* Non-blocking socket, no timeout: returns what is queued, at most max. */
  KQ__RETRY(n, recvmmsg(fd, hdr, (unsigned)max, 0, NULL));
  if (n == -1) return kq__err();
  for (int i = 0; i < n; i++) kq__recv_done(&msgs[i], &hdr[i].msg_hdr, hdr[i].msg_len);
  return n;
}

int kq_dgram_send(int fd, kq_dgram *msgs, int max) {
  struct mmsghdr hdr[KQ_DGRAM_BATCH_MAX];
  struct iovec iov[KQ_DGRAM_BATCH_MAX];
  struct sockaddr_storage to[KQ_DGRAM_BATCH_MAX];
  int ready = 0, n, r = 0;
  if (!kq__batch_ok(msgs, max)) return -EINVAL;
  /* Stop before the first bad record: those before it go out, the next call meets it. */
  while (ready < max && (r = kq__send_hdr(fd, &msgs[ready], &hdr[ready].msg_hdr, &iov[ready],
                                          &to[ready])) == 0) {
    hdr[ready++].msg_len = 0;
  }
  if (ready == 0) return r;
  KQ__RETRY(n, sendmmsg(fd, hdr, (unsigned)ready, KQ__SEND_FLAGS));
  if (n == -1) return kq__err();
  for (int i = 0; i < n; i++) msgs[i].length = hdr[i].msg_len;
  return n;
}

#else

int kq_dgram_recv(int fd, kq_dgram *msgs, int max) {
  struct msghdr h;
  struct iovec iov;
  struct sockaddr_storage from;
  int n = 0;
  ssize_t r;
  if (!kq__batch_ok(msgs, max)) return -EINVAL;
  while (n < max) {
    kq__recv_hdr(&msgs[n], &h, &iov, &from);
    KQ__RETRY(r, recvmsg(fd, &h, 0));
    if (r == -1) return n > 0 ? n : kq__err(); /* a later error: the next call's */
    kq__recv_done(&msgs[n++], &h, (size_t)r);
  }
  return n;
}

int kq_dgram_send(int fd, kq_dgram *msgs, int max) {
  struct msghdr h;
  struct iovec iov;
  struct sockaddr_storage to;
  int n = 0, r;
  ssize_t sent;
  if (!kq__batch_ok(msgs, max)) return -EINVAL;
  while (n < max) {
    if ((r = kq__send_hdr(fd, &msgs[n], &h, &iov, &to)) < 0) return n > 0 ? n : r;
    KQ__RETRY(sent, sendmsg(fd, &h, KQ__SEND_FLAGS));
    if (sent == -1) return n > 0 ? n : kq__err();
    msgs[n++].length = (uint32_t)sent;
  }
  return n;
}

#endif

/* ---- options and multicast ------------------------------------------------------- */

int kq_dgram_set_option(int fd, int option, int value) {
  int family;
  switch (option) {
  case KQ_DGRAM_BROADCAST:
    return setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &value, sizeof value) == -1 ? kq__err() : 0;
  case KQ_DGRAM_TRAFFIC_CLASS:
    return kq__traffic_class_set(fd, value);
  case KQ_DGRAM_MULTICAST_LOOP: {
    unsigned char v4 = value != 0; /* the BSDs take a u_char here; Linux takes both */
    unsigned int v6 = value != 0;
    if ((family = kq__socket_family(fd)) < 0) return family;
    if (family == AF_INET6) {
      return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &v6, sizeof v6) == -1 ? kq__err()
                                                                                        : 0;
    }
    return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &v4, sizeof v4) == -1 ? kq__err() : 0;
  }
  default:
    return -EINVAL;
  }
}

int kq_dgram_get_option(int fd, int option, int *value) {
  int family, level, name, v = 0;
  socklen_t len = sizeof v;
  if (value == NULL) return -EINVAL;
  if (option == KQ_DGRAM_TRAFFIC_CLASS) return kq__traffic_class_get(fd, value);
  if (option == KQ_DGRAM_BROADCAST) {
    level = SOL_SOCKET, name = SO_BROADCAST;
  } else if (option == KQ_DGRAM_MULTICAST_LOOP) {
    int v6 = (family = kq__socket_family(fd)) == AF_INET6;
    if (family < 0) return family;
    level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
    name = v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP;
  } else {
    return -EINVAL;
  }
  if (getsockopt(fd, level, name, &v, &len) == -1) return kq__err();
  /* IP_MULTICAST_LOOP may come back as one byte (the BSDs). */
  if (len == 1) v = *(unsigned char *)&v;
  *value = v != 0;
  return 0;
}

int kq_dgram_membership(int fd, const kq_addr *group, int ifindex, int join) {
  struct group_req req;
  socklen_t len = 0;
  int family, r;
  if (ifindex < 0) return -EINVAL;
  memset(&req, 0, sizeof req);
  if ((r = kq__addr_to_sockaddr(group, &req.gr_group, &len)) < 0) return r;
  req.gr_interface = (uint32_t)ifindex;
  /* The protocol-independent calls (RFC 3678), at the level of the socket's own family:
   * an IPv6 socket joins IPv4 groups too. */
  if ((family = kq__socket_family(fd)) < 0) return family;
  if (setsockopt(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
                 join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &req, sizeof req) == -1) {
    return kq__err();
  }
  return 0;
}
