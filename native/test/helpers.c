/* helpers.c - loopback sockets, clocks and event collection for the C tests. */
#include <time.h>

#include "test.h"

#ifdef _WIN32
int test_under_wine(void) {
  HMODULE ntdll = GetModuleHandleA("ntdll.dll");
  return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

/* QueryPerformanceCounter, the clock the iocp timer uses (GetTickCount64 moves in
 * 15.6 ms steps on Windows: a deadline would look missed by up to a step). */
int64_t test_now_ms(void) {
  LARGE_INTEGER now, freq;
  QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&now);
  return now.QuadPart / freq.QuadPart * 1000 + now.QuadPart % freq.QuadPart * 1000 / freq.QuadPart;
}

void test_sleep_ms(int ms) { Sleep((DWORD)ms); }

int test_poll_fd(kq_fd fd, short events, int timeout_ms) {
  WSAPOLLFD pfd = {.fd = (SOCKET)fd, .events = events};
  return WSAPoll(&pfd, 1, timeout_ms) == 1;
}
#else
int test_under_wine(void) { return 0; }

int64_t test_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void test_sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

int test_poll_fd(int fd, short events, int timeout_ms) {
  struct pollfd pfd = {.fd = fd, .events = events};
  return poll(&pfd, 1, timeout_ms) == 1;
}
#endif

kq_fd test_listener(kq_addr *bound) {
  kq_addr any = {.family = KQ_AF_INET4, .bytes = {127, 0, 0, 1}};
  kq_fd fd = kq_socket_tcp(KQ_AF_INET4);
  int r;
  if (fd < 0) return fd;
  if ((r = kq_socket_bind(fd, &any)) < 0 || (r = kq_socket_listen(fd, 16)) < 0 ||
      (r = kq_socket_local_addr(fd, bound)) < 0) {
    kq_close(fd);
    return r;
  }
  return fd;
}

int test_tcp_pair(kq_fd *client, kq_fd *server) {
  kq_addr addr;
  kq_fd lfd = test_listener(&addr), cfd, sfd = -EAGAIN;
  int r;
  if (lfd < 0) return lfd;
  if ((cfd = kq_socket_tcp(KQ_AF_INET4)) < 0) {
    kq_close(lfd);
    return cfd;
  }
  r = kq_socket_connect(cfd, &addr);
  if ((r == 0 || r == -EINPROGRESS) && test_poll_fd(lfd, POLLIN, 2000)) {
    kq_socket_accept(lfd, &sfd, 1);
  }
  /* The client is connected once the server has it queued; wait for that too. */
  if (sfd >= 0 && test_poll_fd(cfd, POLLOUT, 2000) && kq_socket_finish_connect(cfd) == 0) {
    kq_close(lfd);
    *client = cfd;
    *server = sfd;
    return 0;
  }
  if (sfd >= 0) kq_close(sfd);
  kq_close(cfd);
  kq_close(lfd);
  return r < 0 && r != -EINPROGRESS ? r : -ETIMEDOUT;
}

uint32_t test_collect(kq_poller *p, uint64_t token, uint32_t want, int timeout_ms) {
  kq_event events[16];
  uint32_t seen = 0;
  int64_t deadline = test_now_ms() + timeout_ms;
  for (;;) {
    int64_t left = deadline - test_now_ms();
    int n = kq_poller_wait(p, events, 16, left > 0 ? (int)left : 0);
    for (int i = 0; i < n; i++) {
      if (events[i].token == token) seen |= events[i].bits;
    }
    if (n < 0 || (want != 0 && (seen & want) == want) || left <= 0) return seen;
  }
}
