/*
 * test-unix.c - Unix domain sockets: path and abstract names, names read back, peer
 * credentials, readiness events, and every bad-input errno of kq.h's contract.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/* A fresh private directory under /tmp, its path in dir (64 bytes). */
static int unix_test_dir(char *dir) {
  strcpy(dir, "/tmp/kq-test-unix-XXXXXX");
  return mkdtemp(dir) != NULL ? 0 : -errno;
}

/* dir + "/" + leaf into out (128 bytes); returns the length. */
static size_t unix_join(char *out, const char *dir, const char *leaf) {
  snprintf(out, 128, "%s/%s", dir, leaf);
  return strlen(out);
}

/* Creates an empty regular file at path: 0, or -errno. */
static int unix_touch(const char *path) {
  int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return -errno;
  return close(fd) == 0 ? 0 : -errno;
}

/* A listener bound to name (len bytes), or -errno. */
static int unix_listener(const void *name, size_t len) {
  int fd = kq_socket_unix(), r;
  if (fd < 0) return fd;
  if ((r = kq_socket_bind_unix(fd, name, len)) < 0 || (r = kq_socket_listen(fd, 16)) < 0) {
    kq_close(fd);
    return r;
  }
  return fd;
}

/* Connects a new client to name and accepts it: 0 with both fds, or -errno. */
static int unix_pair(int lfd, const void *name, size_t len, int *client, int *server) {
  int cfd = kq_socket_unix(), sfd = -EAGAIN, r;
  if (cfd < 0) return cfd;
  r = kq_socket_connect_unix(cfd, name, len);
  if (r == -EINPROGRESS && test_poll_fd(cfd, POLLOUT, 2000)) r = kq_socket_finish_connect(cfd);
  if (r == 0 && test_poll_fd(lfd, POLLIN, 2000)) kq_socket_accept(lfd, &sfd, 1);
  if (r == 0 && sfd >= 0) {
    *client = cfd;
    *server = sfd;
    return 0;
  }
  kq_close(cfd);
  return r < 0 ? r : -ETIMEDOUT;
}

int test_unix_path_names_and_bytes(void) {
  char dir[64], path[128], name[256];
  int lfd, c, s;
  size_t len;
  ASSERT_OK(unix_test_dir(dir));
  len = unix_join(path, dir, "server.sock");
  lfd = unix_listener(path, len);
  ASSERT(lfd >= 0);
  ASSERT_OK(unix_pair(lfd, path, len, &c, &s));
  /* The listener, the accepted socket and the client's peer all carry the path. */
  ASSERT_EQ(kq_socket_local_unix(lfd, name, sizeof name), len);
  ASSERT(memcmp(name, path, len) == 0);
  ASSERT_EQ(kq_socket_local_unix(s, name, sizeof name), len);
  ASSERT_EQ(kq_socket_peer_unix(c, name, sizeof name), len);
  ASSERT(memcmp(name, path, len) == 0);
  /* The client never bound: unnamed on both sides of the query. */
  ASSERT_EQ(kq_socket_local_unix(c, name, sizeof name), 0);
  ASSERT_EQ(kq_socket_peer_unix(s, name, sizeof name), 0);
  ASSERT_EQ(kq_socket_peer_unix(lfd, name, sizeof name), -ENOTCONN);
  ASSERT_EQ(kq_socket_local_unix(lfd, name, 4), -ENOBUFS);
  ASSERT_EQ(kq_socket_local_unix(lfd, NULL, 4), -EINVAL);
  /* Bytes both ways, then a half-close seen as end of stream. */
  ASSERT_EQ(kq_write(c, "ping", 4), 4);
  ASSERT(test_poll_fd(s, POLLIN, 2000));
  ASSERT_EQ(kq_read(s, name, sizeof name), 4);
  ASSERT(memcmp(name, "ping", 4) == 0);
  ASSERT_EQ(kq_write(s, "pong!", 5), 5);
  ASSERT(test_poll_fd(c, POLLIN, 2000));
  ASSERT_EQ(kq_read(c, name, sizeof name), 5);
  ASSERT_OK(kq_socket_shutdown(c, 1));
  ASSERT(test_poll_fd(s, POLLIN, 2000));
  ASSERT_EQ(kq_read(s, name, sizeof name), 0);
  ASSERT_EQ(kq_write(s, "late", 4), 4); /* the other direction is still open */
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_close(lfd));
  /* Closing the listener leaves its file: removing it is the caller's decision. */
  ASSERT_OK(kq_unix_unlink(path, len));
  ASSERT_OK(rmdir(dir));
  return 0;
}

int test_unix_peer_credentials(void) {
  char dir[64], path[128];
  kq_peer_cred cred = {0, 0, 0};
  int lfd, c, s, unconnected = kq_socket_unix();
  size_t len;
  ASSERT(unconnected >= 0);
  ASSERT_OK(unix_test_dir(dir));
  len = unix_join(path, dir, "cred.sock");
  lfd = unix_listener(path, len);
  ASSERT(lfd >= 0);
  ASSERT_OK(unix_pair(lfd, path, len, &c, &s));
  ASSERT_OK(kq_socket_peer_cred(s, &cred));
#if defined(__linux__) || defined(__APPLE__)
  ASSERT_EQ(cred.pid, getpid());
#else
  ASSERT_EQ(cred.pid, -1);
#endif
  ASSERT_EQ(cred.uid, geteuid());
  ASSERT_EQ(cred.gid, getegid());
  ASSERT_OK(kq_socket_peer_cred(c, &cred)); /* the listener's side: the same process */
  ASSERT_EQ(cred.uid, geteuid());
  ASSERT_EQ(kq_socket_peer_cred(lfd, &cred), -ENOTCONN);
  ASSERT_EQ(kq_socket_peer_cred(unconnected, &cred), -ENOTCONN);
  ASSERT_EQ(kq_socket_peer_cred(s, NULL), -EINVAL);
  ASSERT_OK(kq_close(unconnected));
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_close(lfd));
  ASSERT_OK(unlink(path));
  ASSERT_OK(rmdir(dir));
  return 0;
}

int test_unix_abstract_names(void) {
  char name[64], got[256];
  int lfd, c, s, len;
  /* Abstract names live in the network namespace, not the file system: make it unique. */
  name[0] = '\0';
  len = 1 + snprintf(name + 1, sizeof name - 1, "kq-test-abstract-%ld", (long)getpid());
#if defined(__linux__)
  lfd = unix_listener(name, (size_t)len);
  ASSERT(lfd >= 0);
  ASSERT_EQ(kq_socket_local_unix(lfd, got, sizeof got), len);
  ASSERT(memcmp(got, name, (size_t)len) == 0);
  ASSERT_OK(unix_pair(lfd, name, (size_t)len, &c, &s));
  ASSERT_EQ(kq_socket_peer_unix(c, got, sizeof got), len);
  ASSERT(memcmp(got, name, (size_t)len) == 0);
  /* A second bind of the same abstract name is refused like a path's. */
  ASSERT_EQ(unix_listener(name, (size_t)len), -EADDRINUSE);
  ASSERT_EQ(kq_unix_unlink(name, (size_t)len), -EINVAL); /* no file to remove */
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_close(lfd));
  /* The name went with the socket: nobody listens on it any more. */
  c = kq_socket_unix();
  ASSERT(c >= 0);
  ASSERT_EQ(kq_socket_connect_unix(c, name, (size_t)len), -ECONNREFUSED);
  /* Autobind: the empty name makes the kernel pick an abstract one (unix(7): a NUL and
   * five hex digits). */
  ASSERT_OK(kq_socket_bind_unix(c, "", 0));
  ASSERT_EQ(kq_socket_local_unix(c, got, sizeof got), 6);
  ASSERT_EQ(got[0], '\0');
  ASSERT_OK(kq_close(c));
  (void)s;
#else
  c = kq_socket_unix();
  ASSERT(c >= 0);
  ASSERT_EQ(kq_socket_bind_unix(c, name, (size_t)len), -EOPNOTSUPP);
  ASSERT_EQ(kq_socket_bind_unix(c, "", 0), -EINVAL);
  ASSERT_OK(kq_close(c));
  (void)lfd, (void)s, (void)got;
#endif
  return 0;
}

int test_unix_name_errors(void) {
  char longest[256], abstract[256];
  int fd = kq_socket_unix(), max = kq_unix_name_max();
#if defined(__linux__)
  ASSERT_EQ(max, 108);
#else
  ASSERT_EQ(max, 104);
#endif
  ASSERT(fd >= 0);
  /* A path of max bytes leaves no room for the final NUL; max - 1 passes the check and
   * reaches the kernel, which reports the missing directory. */
  memset(longest, 'a', sizeof longest);
  longest[0] = '/';
  ASSERT_EQ(kq_socket_bind_unix(fd, longest, (size_t)max), -ENAMETOOLONG);
  ASSERT_EQ(kq_socket_connect_unix(fd, longest, (size_t)max), -ENAMETOOLONG);
  ASSERT_EQ(kq_unix_unlink(longest, (size_t)max), -ENAMETOOLONG);
  ASSERT_EQ(kq_socket_bind_unix(fd, longest, 200), -ENAMETOOLONG);
  longest[1] = '/';
  ASSERT_EQ(kq_socket_connect_unix(fd, longest, (size_t)max - 1), -ENOENT);
  /* A NUL inside a path would make the kernel cut the name there. */
  ASSERT_EQ(kq_socket_bind_unix(fd, "/tmp/a\0b", 8), -EINVAL);
  ASSERT_EQ(kq_unix_unlink("/tmp/a\0b", 8), -EINVAL);
  ASSERT_EQ(kq_socket_bind_unix(fd, NULL, 5), -EINVAL);
  ASSERT_EQ(kq_socket_connect_unix(fd, "", 0), -EINVAL);
  ASSERT_EQ(kq_unix_unlink("", 0), -EINVAL);
  memset(abstract, 'b', sizeof abstract);
  abstract[0] = '\0';
#if defined(__linux__)
  ASSERT_EQ(kq_socket_bind_unix(fd, abstract, (size_t)max + 1), -ENAMETOOLONG);
#else
  ASSERT_EQ(kq_socket_bind_unix(fd, abstract, 8), -EOPNOTSUPP);
#endif
  ASSERT_OK(kq_close(fd));
  return 0;
}

int test_unix_existing_file(void) {
  char dir[64], path[128], plain[128];
  int lfd, fd;
  size_t len, plain_len;
  struct stat st;
  ASSERT_OK(unix_test_dir(dir));
  len = unix_join(path, dir, "stale.sock");
  plain_len = unix_join(plain, dir, "plain-file");
  lfd = unix_listener(path, len);
  ASSERT(lfd >= 0);
  ASSERT_OK(kq_close(lfd)); /* the file stays behind: a stale socket file */
  fd = kq_socket_unix();
  ASSERT(fd >= 0);
  ASSERT_EQ(kq_socket_bind_unix(fd, path, len), -EADDRINUSE);
  ASSERT_EQ(kq_socket_connect_unix(fd, path, len), -ECONNREFUSED);
  /* Removal only when asked, and only of a socket. */
  ASSERT_OK(unix_touch(plain));
  ASSERT_EQ(kq_socket_bind_unix(fd, plain, plain_len), -EADDRINUSE);
  ASSERT_EQ(kq_unix_unlink(plain, plain_len), -ENOTSOCK);
  ASSERT_OK(stat(plain, &st)); /* still there */
  ASSERT_OK(kq_unix_unlink(path, len));
  ASSERT_EQ(kq_unix_unlink(path, len), -ENOENT);
  ASSERT_OK(kq_socket_bind_unix(fd, path, len));
  ASSERT_OK(kq_close(fd));
  ASSERT_OK(unlink(path));
  ASSERT_OK(unlink(plain));
  ASSERT_OK(rmdir(dir));
  return 0;
}

int test_unix_connect_errors(void) {
  char dir[64], missing[128], under_file[128], plain[128];
  int fd = kq_socket_unix();
  ASSERT(fd >= 0);
  ASSERT_OK(unix_test_dir(dir));
  unix_join(missing, dir, "nobody.sock");
  ASSERT_EQ(kq_socket_connect_unix(fd, missing, strlen(missing)), -ENOENT);
  unix_join(plain, dir, "file");
  ASSERT_OK(unix_touch(plain));
  ASSERT_EQ(kq_socket_connect_unix(fd, plain, strlen(plain)), -ECONNREFUSED);
  unix_join(under_file, plain, "x.sock");
  ASSERT_EQ(kq_socket_connect_unix(fd, under_file, strlen(under_file)), -ENOTDIR);
  ASSERT_EQ(kq_socket_bind_unix(fd, under_file, strlen(under_file)), -ENOTDIR);
  ASSERT_OK(kq_close(fd));
  ASSERT_OK(unlink(plain));
  ASSERT_OK(rmdir(dir));
  return 0;
}

/*
 * In a child that cannot bypass file permissions (root drops to nobody first):
 * binding in, and connecting through, a directory it may not search is -EACCES.
 * Exit status: 0 as expected, else the line of the first failed step.
 */
static int unix_permission_child(const char *dir, const char *path, size_t len) {
  char inside[128];
  int fd;
  if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return __LINE__;
  if ((fd = kq_socket_unix()) < 0) return __LINE__;
  if (kq_socket_connect_unix(fd, path, len) != -EACCES) return __LINE__;
  unix_join(inside, dir, "new.sock");
  if (kq_socket_bind_unix(fd, inside, strlen(inside)) != -EACCES) return __LINE__;
  kq_close(fd);
  return 0;
}

int test_unix_permission_denied(void) {
  char dir[64], path[128];
  int lfd, status = -1;
  size_t len;
  pid_t child;
  ASSERT_OK(unix_test_dir(dir));
  len = unix_join(path, dir, "private.sock");
  lfd = unix_listener(path, len);
  ASSERT(lfd >= 0);
  ASSERT_OK(chmod(dir, 0)); /* nobody may search it; root only through its privilege */
  child = fork();
  ASSERT(child >= 0);
  if (child == 0) _exit(unix_permission_child(dir, path, len));
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_OK(chmod(dir, 0700));
  ASSERT(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_OK(kq_close(lfd));
  ASSERT_OK(unlink(path));
  ASSERT_OK(rmdir(dir));
  return 0;
}

int test_unix_backlog_full(void) {
  char dir[64], path[128];
  int lfd, clients[64], n = 0, r = 0;
  size_t len;
  ASSERT_OK(unix_test_dir(dir));
  len = unix_join(path, dir, "busy.sock");
  lfd = kq_socket_unix();
  ASSERT(lfd >= 0);
  ASSERT_OK(kq_socket_bind_unix(lfd, path, len));
  ASSERT_OK(kq_socket_listen(lfd, 1));
  /* Nobody accepts: once the queue is full a non-blocking connect says so at once
   * (-EAGAIN on Linux, pending or refused elsewhere), and never blocks. */
  while (n < 64) {
    clients[n] = kq_socket_unix();
    ASSERT(clients[n] >= 0);
    r = kq_socket_connect_unix(clients[n], path, len);
    n++;
    if (r != 0) break;
  }
#if defined(__linux__)
  ASSERT_EQ(r, -EAGAIN);
#else
  ASSERT(r == -EAGAIN || r == -EINPROGRESS || r == -ECONNREFUSED);
#endif
  ASSERT(n < 64);
  for (int i = 0; i < n; i++) ASSERT_OK(kq_close(clients[i]));
  ASSERT_OK(kq_close(lfd));
  ASSERT_OK(unlink(path));
  ASSERT_OK(rmdir(dir));
  return 0;
}

int test_unix_readiness_events(void) {
  char dir[64], path[128], buf[16];
  kq_poller *p;
  int lfd, c, s, r;
  size_t len;
  ASSERT_OK(unix_test_dir(dir));
  len = unix_join(path, dir, "events.sock");
  lfd = unix_listener(path, len);
  ASSERT(lfd >= 0);
  ASSERT_OK(kq_poller_open(&p, 8));
  ASSERT_OK(kq_poller_add(p, lfd, TEST_TOKEN(1), KQ_INTEREST_READ));
  /* A pending connection makes the listener READABLE; accept takes it. */
  c = kq_socket_unix();
  ASSERT(c >= 0);
  r = kq_socket_connect_unix(c, path, len);
  ASSERT(r == 0 || r == -EINPROGRESS);
  ASSERT(test_collect(p, TEST_TOKEN(1), KQ_EV_READABLE, 2000) & KQ_EV_READABLE);
  ASSERT_EQ(kq_socket_accept(lfd, &s, 1), 1);
  ASSERT_OK(kq_poller_add(p, s, TEST_TOKEN(2), KQ_INTEREST_READ | KQ_INTEREST_WRITE));
  ASSERT(test_collect(p, TEST_TOKEN(2), KQ_EV_WRITABLE, 2000) & KQ_EV_WRITABLE);
  ASSERT_EQ(kq_write(c, "x", 1), 1);
  ASSERT(test_collect(p, TEST_TOKEN(2), KQ_EV_READABLE, 2000) & KQ_EV_READABLE);
  ASSERT_EQ(kq_read(s, buf, sizeof buf), 1);
  /* A half-close by the peer is the same HANGUP edge as TCP's. */
  ASSERT_OK(kq_socket_shutdown(c, 1));
  ASSERT(test_collect(p, TEST_TOKEN(2), KQ_EV_HANGUP, 2000) & KQ_EV_HANGUP);
  ASSERT_EQ(kq_read(s, buf, sizeof buf), 0);
  ASSERT_OK(kq_close(c));
  ASSERT_OK(kq_close(s));
  ASSERT_OK(kq_poller_close(p));
  ASSERT_OK(kq_close(lfd));
  ASSERT_OK(unlink(path));
  ASSERT_OK(rmdir(dir));
  return 0;
}
