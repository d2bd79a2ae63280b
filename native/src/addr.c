/*
 * addr.c - kq_addr <-> sockaddr, the one conversion every socket file uses (socket.c,
 * datagram.c, and src/windows/socket.c): the same on every kernel, since sockaddr_in and
 * sockaddr_in6 are the same structures under Winsock.
 */
#include <string.h>
#ifndef _WIN32
#include <netinet/in.h>
#endif

#include "internal.h"

int kq__addr_to_sockaddr(const kq_addr *a, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (a == NULL) return -EINVAL;
  if (a->family == KQ_AF_INET4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a->port);
    memcpy(&sin->sin_addr, a->bytes, 4);
    *len = sizeof *sin;
    return 0;
  }
  if (a->family == KQ_AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(a->port);
    sin6->sin6_scope_id = a->scope_id;
    memcpy(&sin6->sin6_addr, a->bytes, 16);
    *len = sizeof *sin6;
    return 0;
  }
  return -EINVAL;
}

int kq__addr_from_sockaddr(const struct sockaddr_storage *ss, kq_addr *a) {
  memset(a, 0, sizeof *a);
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    a->family = KQ_AF_INET4;
    a->port = ntohs(sin->sin_port);
    memcpy(a->bytes, &sin->sin_addr, 4);
    return 0;
  }
  if (ss->ss_family == AF_INET6) {
    /* An IPv4-mapped address (::ffff:a.b.c.d) stays family 6: Java maps it back. */
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
    a->family = KQ_AF_INET6;
    a->port = ntohs(sin6->sin6_port);
    a->scope_id = sin6->sin6_scope_id;
    memcpy(a->bytes, &sin6->sin6_addr, 16);
    return 0;
  }
  return -EAFNOSUPPORT;
}
