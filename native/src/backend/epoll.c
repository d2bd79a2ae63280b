/*
 * epoll.c - the Linux backend: every kq_poller_* of kq.h on epoll(7).
 *
 * A poller is one epoll instance plus three internal sources, registered with tokens
 * no caller can produce (see KQ__TOKEN_*):
 *   - an eventfd(2) for kq_poller_wake,
 *   - a timerfd(2) on CLOCK_MONOTONIC for kq_poller_set_timer,
 *   - once asked, the process's signal pipe (src/signal.c).
 * They are level-triggered and drained here, inside kq_poller_wait, so the caller
 * never makes a syscall for them and never sees a kernel word.
 *
 * Caller descriptors are registered once, edge-triggered (EPOLLET), for the interest
 * asked plus EPOLLRDHUP. The ET pitfall of epoll(7) ("Q9"): an edge is reported once,
 * so the owner must read/write until EAGAIN before it can expect another event; this
 * file never re-arms anything per operation.
 *
 * Next to read: src/socket.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "internal.h"

/*
 * Reserved tokens. Caller tokens are (generation << 32 | slot) with generation >= 1,
 * so any value with a zero upper half is free for internal sources, and
 * kq_poller_add/modify reject such tokens with -EINVAL.
 */
#define KQ__TOKEN_WAKE   UINT64_C(1)
#define KQ__TOKEN_TIMER  UINT64_C(2)
#define KQ__TOKEN_SIGNAL UINT64_C(3)
#define KQ__TOKEN_IS_RESERVED(t) (((t) >> 32) == 0)

/* Upper bound of max_events: epoll_wait(2) rejects more than INT_MAX/sizeof(event). */
#define KQ__MAX_EVENTS (1 << 20)

struct kq_poller {
  int epfd;
  int wakefd;   /* eventfd: counter, drained by one read */
  int timerfd;  /* timerfd: expirations, drained by one read */
  int sigfd;    /* the signal pipe's read end while watching, else -1 (not owned) */
  int capacity; /* entries of events[] */
  struct epoll_event *events;
};

/* ---- open / close ---------------------------------------------------------------- */

static int kq__ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev); /* pre-2.6.9 kernels need a non-NULL event even for DEL */
  ev.events = events;
  ev.data.u64 = token;
  return epoll_ctl(epfd, op, fd, &ev) == -1 ? kq__err() : 0;
}

static void kq__poller_free(kq_poller *p) {
  if (p->epfd >= 0) close(p->epfd);
  if (p->wakefd >= 0) close(p->wakefd);
  if (p->timerfd >= 0) close(p->timerfd);
  free(p->events);
  free(p);
}

int kq_poller_open(kq_poller **out, int max_events) {
  kq_poller *p;
  int r;
  if (out == NULL || max_events <= 0 || max_events > KQ__MAX_EVENTS) return -EINVAL;
  if ((p = calloc(1, sizeof *p)) == NULL) return -ENOMEM;
  p->wakefd = p->timerfd = p->sigfd = -1;
  p->capacity = max_events;
  p->epfd = epoll_create1(EPOLL_CLOEXEC);
  p->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  p->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  p->events = calloc((size_t)max_events, sizeof *p->events);
  if (p->epfd == -1 || p->wakefd == -1 || p->timerfd == -1) {
    r = kq__err();
  } else if (p->events == NULL) {
    r = -ENOMEM;
  } else if ((r = kq__ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, EPOLLIN, KQ__TOKEN_WAKE)) == 0) {
    r = kq__ctl(p->epfd, EPOLL_CTL_ADD, p->timerfd, EPOLLIN, KQ__TOKEN_TIMER);
  }
  if (r < 0) {
    kq__poller_free(p);
    return r;
  }
  *out = p;
  return 0;
}

int kq_poller_close(kq_poller *p) {
  if (p == NULL) return -EINVAL;
  /* The signal pipe is process-wide and stays open; closing epfd detaches it. */
  if (p->sigfd >= 0) kq__signal_release(p);
  kq__poller_free(p);
  return 0;
}

int kq_poller_fd(const kq_poller *p) { return p == NULL ? -EINVAL : p->epfd; }

/* ---- registration ---------------------------------------------------------------- */

static int kq__interest_events(int interest, uint32_t *events) {
  if (interest & ~(KQ_INTEREST_READ | KQ_INTEREST_WRITE)) return -EINVAL;
  /* EPOLLRDHUP (since 2.6.17): the peer's FIN is seen without a read returning 0. */
  *events = EPOLLRDHUP | EPOLLET;
  if (interest & KQ_INTEREST_READ) *events |= EPOLLIN;
  if (interest & KQ_INTEREST_WRITE) *events |= EPOLLOUT;
  return 0;
}

static int kq__register(kq_poller *p, int op, int fd, uint64_t token, int interest) {
  uint32_t events;
  int r;
  if (p == NULL || KQ__TOKEN_IS_RESERVED(token)) return -EINVAL;
  if ((r = kq__interest_events(interest, &events)) < 0) return r;
  return kq__ctl(p->epfd, op, fd, events, token);
}

int kq_poller_add(kq_poller *p, int fd, uint64_t token, int interest) {
  return kq__register(p, EPOLL_CTL_ADD, fd, token, interest);
}

int kq_poller_modify(kq_poller *p, int fd, uint64_t token, int interest) {
  return kq__register(p, EPOLL_CTL_MOD, fd, token, interest);
}

int kq_poller_delete(kq_poller *p, int fd) {
  if (p == NULL) return -EINVAL;
  return kq__ctl(p->epfd, EPOLL_CTL_DEL, fd, 0, 0);
}

/* ---- internal sources ------------------------------------------------------------ */

int kq_poller_wake(kq_poller *p) {
  uint64_t one = 1;
  ssize_t r;
  if (p == NULL) return -EINVAL;
  KQ__RETRY(r, write(p->wakefd, &one, sizeof one));
  /* EAGAIN: the counter is at its maximum (eventfd(2)), so a wake-up is pending. */
  if (r == -1 && errno != EAGAIN) return kq__err();
  return 0;
}

int kq_poller_set_timer(kq_poller *p, int64_t delay_ns) {
  struct itimerspec its;
  if (p == NULL) return -EINVAL;
  memset(&its, 0, sizeof its); /* it_interval 0: one-shot; it_value 0: disarm */
  if (delay_ns >= 0) {
    /* timerfd_settime(2): an it_value of zero DISARMS, so "now" is 1 ns from now. */
    if (delay_ns == 0) delay_ns = 1;
    its.it_value.tv_sec = (time_t)(delay_ns / 1000000000);
    its.it_value.tv_nsec = (long)(delay_ns % 1000000000);
  }
  /* Setting a timerfd also resets its expiration count, so a pending expiry of the
   * previous deadline is not read later (the read sees EAGAIN): re-arming replaces. */
  return timerfd_settime(p->timerfd, 0, &its, NULL) == -1 ? kq__err() : 0;
}

int kq_poller_watch_signals(kq_poller *p) {
  int fd, r;
  if (p == NULL) return -EINVAL;
  if (p->sigfd >= 0) return 0;
  if ((fd = kq__signal_pipe_fd()) < 0) return fd;
  if ((r = kq__signal_claim(p)) < 0) return r;
  /* Level-triggered on purpose: bytes left in the pipe when `out` was full must be
   * reported again by the next wait, with no new write to make an edge. */
  if ((r = kq__ctl(p->epfd, EPOLL_CTL_ADD, fd, EPOLLIN, KQ__TOKEN_SIGNAL)) < 0) {
    kq__signal_release(p);
    return r;
  }
  p->sigfd = fd;
  return 0;
}

/* Reads a counter-like descriptor (eventfd, timerfd): 1 if it had fired, else 0. */
static int kq__drain_counter(int fd) {
  uint64_t value;
  ssize_t r;
  KQ__RETRY(r, read(fd, &value, sizeof value));
  return r == (ssize_t)sizeof value && value > 0;
}

/*
 * Moves signal numbers from the pipe into out[*n, max): one event per signal number
 * (repeats within one wait coalesce, as pending signals do). Bytes that do not fit
 * stay in the pipe for the next wait.
 */
static void kq__drain_signals(kq_poller *p, kq_event *out, int *n, int max) {
  unsigned char buf[64];
  int first = *n;
  while (*n < max) {
    size_t want = (size_t)(max - *n) < sizeof buf ? (size_t)(max - *n) : sizeof buf;
    ssize_t got;
    KQ__RETRY(got, read(p->sigfd, buf, want));
    if (got <= 0) return;
    for (ssize_t i = 0; i < got; i++) {
      int seen = 0;
      for (int j = first; j < *n && !seen; j++) seen = out[j].token == buf[i];
      if (!seen) out[(*n)++] = (kq_event){.token = buf[i], .bits = KQ_EV_SIGNAL};
    }
    if ((size_t)got < want) return;
  }
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

/* Turns `ready` kernel events into at most max caller events; returns how many. */
static int kq__translate_all(kq_poller *p, int ready, kq_event *out, int max) {
  int n = 0, signals = 0;
  for (int i = 0; i < ready; i++) {
    const struct epoll_event *e = &p->events[i];
    uint64_t token = e->data.u64;
    if (token == KQ__TOKEN_WAKE) {
      if (kq__drain_counter(p->wakefd)) out[n++] = (kq_event){.bits = KQ_EV_WAKEUP};
    } else if (token == KQ__TOKEN_TIMER) {
      if (kq__drain_counter(p->timerfd)) out[n++] = (kq_event){.bits = KQ_EV_TIMER};
    } else if (token == KQ__TOKEN_SIGNAL) {
      signals = 1; /* last, into whatever room is left */
    } else {
      out[n++] = (kq_event){.token = token, .bits = kq__translate(e->events)};
    }
  }
  if (signals && p->sigfd >= 0) kq__drain_signals(p, out, &n, max);
  return n;
}

static int64_t kq__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kq_poller_wait(kq_poller *p, kq_event *out, int max, int timeout_ms) {
  int64_t deadline = timeout_ms > 0 ? kq__now_ms() + timeout_ms : 0;
  int remaining = timeout_ms < 0 ? -1 : timeout_ms;
  if (p == NULL || out == NULL || max <= 0) return -EINVAL;
  if (max > p->capacity) max = p->capacity;
  for (;;) {
    int ready = epoll_wait(p->epfd, p->events, max, remaining), n;
    if (ready == -1 && errno != EINTR) return kq__err();
    if (ready > 0 && (n = kq__translate_all(p, ready, out, max)) > 0) return n;
    /* EINTR, or only internal sources that had nothing left (a timer re-armed after
     * it fired): wait again for the rest of the time, if any. */
    if (remaining > 0) {
      int64_t left = deadline - kq__now_ms();
      remaining = left > 0 ? (int)left : 0;
    }
    if (ready == 0 || (ready > 0 && remaining == 0)) return 0;
  }
}
