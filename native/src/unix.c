/*
 * unix.c - Unix domain stream sockets (AF_UNIX), under the error rule of kq.h.
 *
 * The contract is in kq.h ("Unix domain sockets"): names cross as bytes and a length,
 * so a Linux abstract name (a leading NUL) is as easy to pass as a path name. Every
 * check a name needs (length against sun_path, a NUL inside a path) is made here,
 * before any system call, so a bad name is one clear errno and never a silently cut
 * path. Everything else a Unix socket does (listen, accept, read, write, shutdown,
 * close, finish_connect) is the same call as for TCP, in socket.c.
 *
 * Kernel differences kept here, in #if blocks: abstract names and autobind (Linux
 * only), sun_len (BSD), and the peer's credentials (SO_PEERCRED on Linux; getpeereid
 * plus LOCAL_PEERPID on macOS; getpeereid on FreeBSD).
 */
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "internal.h"

/*
 * Copies a path name's len bytes (no NUL among them: checked first). strncpy rather than
 * memcpy: on macOS a memcpy whose size is known only at run time makes the zig cross
 * toolchain pull its compiler runtime into the dylib and export all of it, where strncpy
 * is libc's alone. Abstract names (NULs inside) exist on Linux only, and use memcpy.
 */
#define KQ__COPY_PATH(dst, src, len) strncpy((dst), (src), (len))

#define KQ__SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
#define KQ__SUN_OFFSET (offsetof(struct sockaddr_un, sun_path))

int kq_unix_name_max(void) { return (int)KQ__SUN_PATH_MAX; }

/* A path name (not abstract, not empty): 0, or why the kernel must not see it. */
static int kq__unix_check_path(const char *name, size_t len) {
  if (len > KQ__SUN_PATH_MAX - 1) return -ENAMETOOLONG; /* room for the final NUL */
  if (memchr(name, '\0', len) != NULL) return -EINVAL;
  return 0;
}

/* Builds the sockaddr for a name of one of the forms of kq.h: 0, or -errno. */
static int kq__unix_sockaddr(const void *name, size_t len, struct sockaddr_un *sun,
                             socklen_t *sun_len) {
  const char *bytes = name;
  int r;
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  if (len == 0) {
#if defined(__linux__)
    *sun_len = (socklen_t)sizeof(sa_family_t); /* autobind: unix(7) */
    return 0;
#else
    return -EINVAL;
#endif
  }
  if (bytes == NULL) return -EINVAL;
  if (bytes[0] == '\0') {
#if defined(__linux__)
    if (len > KQ__SUN_PATH_MAX) return -ENAMETOOLONG;
    memcpy(sun->sun_path, bytes, len); /* every byte counts, NULs included */
    *sun_len = (socklen_t)(KQ__SUN_OFFSET + len);
    return 0;
#else
    return -EOPNOTSUPP; /* abstract names are a Linux feature */
#endif
  }
  if ((r = kq__unix_check_path(bytes, len)) < 0) return r;
  KQ__COPY_PATH(sun->sun_path, bytes, len); /* the memset left the terminating NUL */
  *sun_len = (socklen_t)(KQ__SUN_OFFSET + len + 1);
#if defined(__APPLE__) || defined(__FreeBSD__)
  sun->sun_len = (unsigned char)*sun_len;
#endif
  return 0;
}

int kq_socket_unix(void) { return kq__socket(AF_UNIX, SOCK_STREAM); }

int kq_socket_bind_unix(int fd, const void *name, size_t len) {
  struct sockaddr_un sun;
  socklen_t sun_len = 0;
  int r = kq__unix_sockaddr(name, len, &sun, &sun_len);
  if (r < 0) return r;
  return bind(fd, (struct sockaddr *)&sun, sun_len) == -1 ? kq__err() : 0;
}

int kq_socket_connect_unix(int fd, const void *name, size_t len) {
  struct sockaddr_un sun;
  socklen_t sun_len = 0;
  int r;
  if (len == 0) return -EINVAL; /* nothing to connect to: the empty name means autobind */
  if ((r = kq__unix_sockaddr(name, len, &sun, &sun_len)) < 0) return r;
  if (connect(fd, (struct sockaddr *)&sun, sun_len) == 0) return 0;
  /* As kq_socket_connect: an interrupted connect goes on, so it is pending, not retried. */
  if (errno == EINTR) return -EINPROGRESS;
  return kq__err();
}

typedef int (*kq__unix_name_fn)(int, struct sockaddr *, socklen_t *);

static int kq__unix_name(int fd, void *out, size_t cap, kq__unix_name_fn fn) {
  struct sockaddr_un sun;
  socklen_t sun_len = sizeof sun;
  size_t n;
  if (out == NULL) return -EINVAL;
  memset(&sun, 0, sizeof sun);
  if (fn(fd, (struct sockaddr *)&sun, &sun_len) == -1) return kq__err();
  if (sun.sun_family != AF_UNIX) return -EAFNOSUPPORT;
  if (sun_len <= KQ__SUN_OFFSET) return 0; /* unnamed */
  n = sun_len - KQ__SUN_OFFSET;
  if (n > KQ__SUN_PATH_MAX) n = KQ__SUN_PATH_MAX;
  if (sun.sun_path[0] == '\0') {
#if defined(__linux__)
    if (n > cap) return -ENOBUFS;
    memcpy(out, sun.sun_path, n); /* an abstract name, NULs included */
    return (int)n;
#else
    return 0; /* no abstract names here: a zeroed sun_path is an unnamed socket */
#endif
  }
  n = strnlen(sun.sun_path, n); /* the kernel may count the final NUL in sun_len */
  if (n > cap) return -ENOBUFS;
  KQ__COPY_PATH(out, sun.sun_path, n);
  return (int)n;
}

int kq_socket_local_unix(int fd, void *out, size_t cap) {
  return kq__unix_name(fd, out, cap, getsockname);
}

int kq_socket_peer_unix(int fd, void *out, size_t cap) {
  return kq__unix_name(fd, out, cap, getpeername);
}

int kq_socket_peer_cred(int fd, kq_peer_cred *out) {
  if (out == NULL) return -EINVAL;
#if defined(__linux__)
  struct ucred cred;
  struct sockaddr_un peer;
  socklen_t len = sizeof peer;
  /* SO_PEERCRED answers on unconnected and listening sockets too (with the listener's
   * own or invalid ids): ask getpeername first, so "no peer" is -ENOTCONN everywhere. */
  if (getpeername(fd, (struct sockaddr *)&peer, &len) == -1) return kq__err();
  len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) return kq__err();
  out->pid = (int32_t)cred.pid;
  out->uid = (uint32_t)cred.uid;
  out->gid = (uint32_t)cred.gid;
  return 0;
#else
  uid_t uid;
  gid_t gid;
  if (getpeereid(fd, &uid, &gid) == -1) return kq__err();
  out->pid = -1;
  out->uid = (uint32_t)uid;
  out->gid = (uint32_t)gid;
#if defined(__APPLE__) && defined(LOCAL_PEERPID)
  {
    pid_t pid = -1;
    socklen_t len = sizeof pid;
    if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) == 0) out->pid = (int32_t)pid;
  }
#endif
  return 0;
#endif
}

int kq_unix_unlink(const void *name, size_t len) {
  char path[KQ__SUN_PATH_MAX];
  struct stat st;
  int r;
  if (name == NULL || len == 0 || ((const char *)name)[0] == '\0') return -EINVAL;
  if ((r = kq__unix_check_path(name, len)) < 0) return r;
  KQ__COPY_PATH(path, name, len);
  path[len] = '\0';
  /* lstat, not stat: a symbolic link is not a socket, and is left alone. */
  if (lstat(path, &st) == -1) return kq__err();
  if (!S_ISSOCK(st.st_mode)) return -ENOTSOCK;
  return unlink(path) == -1 ? kq__err() : 0;
}
