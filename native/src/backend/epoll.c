/*
 * epoll.c - the Linux backend: the kq__backend_* hooks of internal.h on epoll(7).
 * The kq_poller_* functions themselves, with their checks, the signal pipe and the
 * wait loop, are in src/poller_common.c; this file holds the system calls and the
 * translation of epoll flags into KQ_EV_* bits.
 *
 * A poller is one epoll instance plus three internal sources, registered with the
 * reserved tokens of internal.h (KQ__TOKEN_*):
 *   - an eventfd(2) for kq_poller_wake,
 *   - a timerfd(2) on CLOCK_MONOTONIC for kq_poller_set_timer,
 *   - once asked, the process's signal pipe (src/signal.c).
 * They are level-triggered and drained inside kq_poller_wait, so the caller never
 * makes a syscall for them and never sees a kernel word.
 *
 * Caller descriptors are registered once, edge-triggered (EPOLLET), for the interest
 * asked plus EPOLLRDHUP. The ET pitfall of epoll(7) ("Q9"): an edge is reported once,
 * so the owner must read/write until EAGAIN before it can expect another event; this
 * file never re-arms anything per operation.
 *
 * Next to read: src/socket.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "internal.h"

struct kq_poller {
  kq__poller_common common; /* first: see internal.h */
  int epfd;
  int wakefd;  /* eventfd: counter, drained by one read */
  int timerfd; /* timerfd: expirations, drained by one read */
  struct epoll_event *events;
};
_Static_assert(offsetof(struct kq_poller, common) == 0, "common must come first");

/* ---- open / close ---------------------------------------------------------------- */

static int kq__ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev); /* pre-2.6.9 kernels need a non-NULL event even for DEL */
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(epfd, op, fd, &ev) == -1 ? kq__err() : 0;
}

void kq__backend_free(kq_poller *p) {
  if (p->epfd >= 0) close(p->epfd);
  if (p->wakefd >= 0) close(p->wakefd);
  if (p->timerfd >= 0) close(p->timerfd);
  free(p->events);
  free(p);
}

int kq__backend_open(kq_poller **out, int capacity) {
  kq_poller *p;
  int r;
  if ((p = calloc(1, sizeof *p)) == NULL) return -ENOMEM;
  p->epfd = epoll_create1(EPOLL_CLOEXEC);
  p->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  p->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  p->events = calloc((size_t)capacity, sizeof *p->events);
  if (p->epfd == -1 || p->wakefd == -1 || p->timerfd == -1) {
    r = kq__err();
  } else if (p->events == NULL) {
    r = -ENOMEM;
  } else if ((r = kq__ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, EPOLLIN, KQ__TOKEN_WAKE)) == 0) {
    r = kq__ctl(p->epfd, EPOLL_CTL_ADD, p->timerfd, EPOLLIN, KQ__TOKEN_TIMER);
  }
  if (r < 0) {
    kq__backend_free(p);
    return r;
  }
  *out = p;
  return 0;
}

int kq__backend_fd(const kq_poller *p) { return p->epfd; }

/* ---- registration ---------------------------------------------------------------- */

int kq__backend_register(kq_poller *p, int fd, uint64_t token, int interest, int add) {
  /* EPOLLRDHUP (since 2.6.17): the peer's FIN is seen without a read returning 0. */
  uint32_t events = EPOLLRDHUP | EPOLLET;
  if (interest & KQ_INTEREST_READ) events |= EPOLLIN;
  if (interest & KQ_INTEREST_WRITE) events |= EPOLLOUT;
  return kq__ctl(p->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, events, token);
}

int kq__backend_delete(kq_poller *p, int fd) {
  return kq__ctl(p->epfd, EPOLL_CTL_DEL, fd, 0, 0);
}

/* ---- internal sources ------------------------------------------------------------ */

int kq__backend_wake(kq_poller *p) {
  uint64_t one = 1;
  ssize_t r;
  KQ__RETRY(r, write(p->wakefd, &one, sizeof one));
  /* EAGAIN: the counter is at its maximum (eventfd(2)), so a wake-up is pending. */
  if (r == -1 && errno != EAGAIN) return kq__err();
  return 0;
}

int kq__backend_set_timer(kq_poller *p, int64_t delay_ns) {
  struct itimerspec its;
  memset(&its, 0, sizeof its); /* it_interval 0: one-shot; it_value 0: disarm */
  if (delay_ns > 0) {
    its.it_value.tv_sec = (time_t)(delay_ns / 1000000000);
    its.it_value.tv_nsec = (long)(delay_ns % 1000000000);
  }
  /* Setting a timerfd also resets its expiration count, so a pending expiry of the
   * previous deadline is not read later (the read sees EAGAIN): re-arming replaces. */
  return timerfd_settime(p->timerfd, 0, &its, NULL) == -1 ? kq__err() : 0;
}

int kq__backend_watch_signal_fd(kq_poller *p, int fd) {
  /* Level-triggered on purpose: bytes left in the pipe when `out` was full must be
   * reported again by the next wait, with no new write to make an edge. */
  return kq__ctl(p->epfd, EPOLL_CTL_ADD, fd, EPOLLIN, KQ__TOKEN_SIGNAL);
}

/* Reads a counter-like descriptor (eventfd, timerfd): 1 if it had fired, else 0. */
static int kq__drain_counter(int fd) {
  uint64_t value;
  ssize_t r;
  KQ__RETRY(r, read(fd, &value, sizeof value));
  return r == (ssize_t)sizeof value && value > 0;
}

/* ---- wait ------------------------------------------------------------------------ */

static uint32_t kq__translate(uint32_t e) {
  uint32_t bits = 0;
  if (e & EPOLLIN) bits |= KQ_EV_READABLE;
  if (e & EPOLLOUT) bits |= KQ_EV_WRITABLE;
  if (e & EPOLLRDHUP) bits |= KQ_EV_HANGUP;
  /* EPOLLHUP/EPOLLERR are reported whatever the interest (epoll_ctl(2)); mark the fd
   * readable and writable too so its owner finds the EOF or the error by trying. */
  if (e & EPOLLHUP) bits |= KQ_EV_HANGUP | KQ_EV_READABLE | KQ_EV_WRITABLE;
  if (e & EPOLLERR) bits |= KQ_EV_ERROR | KQ_EV_READABLE | KQ_EV_WRITABLE;
  return bits;
}

int kq__backend_wait_once(kq_poller *p, kq_event *out, int max, int timeout_ms,
                          int *signals) {
  int ready = epoll_wait(p->epfd, p->events, max, timeout_ms), n = 0;
  if (ready == -1) return kq__err();
  for (int i = 0; i < ready; i++) {
    const struct epoll_event *e = &p->events[i];
    uint64_t token = e->data.u64;
    if (token == KQ__TOKEN_WAKE) {
      if (kq__drain_counter(p->wakefd)) out[n++] = (kq_event){.bits = KQ_EV_WAKEUP};
    } else if (token == KQ__TOKEN_TIMER) {
      if (kq__drain_counter(p->timerfd)) out[n++] = (kq_event){.bits = KQ_EV_TIMER};
    } else if (token == KQ__TOKEN_SIGNAL) {
      *signals = 1; /* drained last, into whatever room is left */
    } else {
      out[n++] = (kq_event){.token = token, .bits = kq__translate(e->events)};
    }
  }
  return n;
}
