/*
 * poller_common.c - every kq_poller_* of kq.h, written once for both backends.
 *
 * What is the same on epoll, kqueue and iocp lives here: the argument checks and reserved
 * tokens, the signal pipe (claim, watch, drain into events), the "0 means as soon as
 * possible" timer rule, and kq_poller_wait's loop that retries EINTR and waits again
 * for the rest of the timeout when a wake-up carried only drained internal sources.
 * The system calls and the translation of kernel flags into KQ_EV_* bits are the
 * backend's (src/backend/epoll.c, src/backend/kqueue.c), through the kq__backend_*
 * hooks declared in internal.h.
 *
 * Next to read: src/backend/epoll.c.
 */
#include <time.h>

#include "internal.h"

/* ---- open / close ---------------------------------------------------------------- */

int kq_poller_open(kq_poller **out, int max_events) {
  kq_poller *p = NULL;
  int r;
  if (out == NULL || max_events <= 0 || max_events > KQ__MAX_EVENTS) return -EINVAL;
  if ((r = kq__backend_open(&p, max_events)) < 0) return r;
  KQ__COMMON(p)->sigfd = -1;
  KQ__COMMON(p)->capacity = max_events;
  *out = p;
  return 0;
}

int kq_poller_close(kq_poller *p) {
  if (p == NULL) return -EINVAL;
  /* The signal pipe is process-wide and stays open; closing the queue detaches it. */
  if (KQ__COMMON(p)->sigfd >= 0) kq__signal_release(p);
  kq__backend_free(p);
  return 0;
}

int kq_poller_fd(const kq_poller *p) { return p == NULL ? -EINVAL : kq__backend_fd(p); }

/* ---- registration ---------------------------------------------------------------- */

static int kq__register(kq_poller *p, kq_fd fd, uint64_t token, int interest, int add) {
  if (p == NULL || fd < 0 || KQ__TOKEN_IS_RESERVED(token)) return -EINVAL;
  if (interest & ~(KQ_INTEREST_READ | KQ_INTEREST_WRITE)) return -EINVAL;
  return kq__backend_register(p, fd, token, interest, add);
}

int kq_poller_add(kq_poller *p, kq_fd fd, uint64_t token, int interest) {
  return kq__register(p, fd, token, interest, 1);
}

int kq_poller_modify(kq_poller *p, kq_fd fd, uint64_t token, int interest) {
  return kq__register(p, fd, token, interest, 0);
}

int kq_poller_delete(kq_poller *p, kq_fd fd) {
  return p == NULL ? -EINVAL : kq__backend_delete(p, fd);
}

/* ---- internal sources ------------------------------------------------------------ */

int kq_poller_wake(kq_poller *p) { return p == NULL ? -EINVAL : kq__backend_wake(p); }

int kq_poller_set_timer(kq_poller *p, int64_t delay_ns) {
  if (p == NULL) return -EINVAL;
  /* 0 is "as soon as possible"; both kernels read a zero delay as "disarm" or refuse
   * a zero period, so the earliest deadline asked of them is 1 ns. */
  return kq__backend_set_timer(p, delay_ns == 0 ? 1 : delay_ns);
}

int kq_poller_watch_signals(kq_poller *p) {
  int fd, r;
  if (p == NULL) return -EINVAL;
  if (KQ__COMMON(p)->sigfd >= 0) return 0;
  if ((fd = kq__signal_pipe_fd()) < 0) return fd;
  if ((r = kq__signal_claim(p)) < 0) return r;
  if ((r = kq__backend_watch_signal_fd(p, fd)) < 0) {
    kq__signal_release(p);
    return r;
  }
  KQ__COMMON(p)->sigfd = fd;
  return 0;
}

/*
 * Moves signal numbers from the pipe into out[*n, max): one event per signal number
 * (repeats within one wait coalesce, as pending signals do). Bytes that do not fit
 * stay in the pipe for the next wait: the backends watch it level-triggered.
 */
static void kq__drain_signals(int sigfd, kq_event *out, int *n, int max) {
#ifdef _WIN32
  (void)sigfd, (void)out, (void)n, (void)max; /* no signals: never watched (unsupported.c) */
#else
  unsigned char buf[64];
  int first = *n;
  while (*n < max) {
    size_t want = (size_t)(max - *n) < sizeof buf ? (size_t)(max - *n) : sizeof buf;
    ssize_t got;
    KQ__RETRY(got, read(sigfd, buf, want));
    if (got <= 0) return;
    for (ssize_t i = 0; i < got; i++) {
      int seen = 0;
      for (int j = first; j < *n && !seen; j++) seen = out[j].token == buf[i];
      if (!seen) out[(*n)++] = (kq_event){.token = buf[i], .bits = KQ_EV_SIGNAL};
    }
    if ((size_t)got < want) return;
  }
#endif
}

/* ---- wait ------------------------------------------------------------------------ */

static int64_t kq__now_ms(void) {
#ifdef _WIN32
  return kq__win_now_ns() / 1000000;
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
}

int kq_poller_wait(kq_poller *p, kq_event *out, int max, int timeout_ms) {
  int64_t deadline = timeout_ms > 0 ? kq__now_ms() + timeout_ms : 0;
  int remaining = timeout_ms < 0 ? -1 : timeout_ms;
  if (p == NULL || out == NULL || max <= 0) return -EINVAL;
  if (max > KQ__COMMON(p)->capacity) max = KQ__COMMON(p)->capacity;
  for (;;) {
    int sigfd = KQ__COMMON(p)->sigfd, signals = 0;
    int n = kq__backend_wait_once(p, out, max, remaining, &signals);
    if (n < 0 && n != -EINTR) return n;
    if (n < 0) n = 0;
    if (signals && sigfd >= 0) kq__drain_signals(sigfd, out, &n, max);
    if (n > 0) return n;
    /* Interrupted, timed out, or only internal sources that had nothing left (a timer
     * re-armed after it fired, a signal byte another wait took): wait again for the
     * rest of the time, if any. */
    if (remaining == 0) return 0;
    if (remaining > 0) {
      int64_t left = deadline - kq__now_ms();
      if (left <= 0) return 0;
      remaining = (int)left;
    }
  }
}
