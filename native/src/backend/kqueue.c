/*
 * kqueue.c - the macOS/FreeBSD backend: the kq__backend_* hooks of internal.h on
 * kqueue(2). The kq_poller_* functions themselves, with their checks, the signal pipe
 * and the wait loop, are in src/poller_common.c; this file holds the system calls and
 * the translation of kevent filters and flags into KQ_EV_* bits.
 *
 * NOT YET RUN ON macOS OR FreeBSD: this project's only machine is Linux. The file is
 * cross-compiled for macOS (x86_64, arm64) and runs here on libkqueue, kqueue(2) in
 * user space (make check-kqueue, mvn -Pkqueue), which is not a kernel kqueue
 * (docs/limitations.md). It is written from kqueue(2) (FreeBSD and macOS man pages)
 * and the guide; where libkqueue differs, the man page decides, and the choices made
 * so that libkqueue runs it too cost nothing on a kernel kqueue (kq__backend_register).
 *
 * A poller is one kqueue plus three internal sources, told apart by their filter and
 * a udata no caller can produce (the reserved tokens of internal.h):
 *   - an EVFILT_USER event for kq_poller_wake (EV_CLEAR: triggers coalesce),
 *   - a one-shot EVFILT_TIMER for kq_poller_set_timer,
 *   - once asked, the read end of the process's signal pipe (src/signal.c), watched
 *     level-triggered with EVFILT_READ. Why the pipe and not EVFILT_SIGNAL: kqueue(2)
 *     says EVFILT_SIGNAL has lower precedence than the normal signal action and only
 *     records that a signal was delivered, so kq_signal_subscribe must install a
 *     handler anyway (or the default action, e.g. terminate on SIGTERM, still runs,
 *     and the JVM's own handlers stay in charge); EVFILT_SIGNAL would also need one
 *     registration per signal in the watching poller, made from kq_signal_subscribe.
 *     The self-pipe keeps subscribe/unsubscribe/refuse byte-for-byte the Linux ones.
 *
 * Caller descriptors get one knote per filter of their interest, EVFILT_READ and/or
 * EVFILT_WRITE, EV_CLEAR (edge-triggered, the guide's "attach once"), submitted in ONE
 * kevent call, as is every later change (see kq__backend_register).
 * Changes are NOT deferred into the next wait's changelist: kq.h promises add/modify/
 * delete return their own -errno (EBADF...), which a deferred change could not.
 *
 * Next to read: src/socket.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>

#include "internal.h"

/* The 64-bit token travels in kevent.udata (a pointer): 64-bit targets only. */
_Static_assert(sizeof(void *) >= sizeof(uint64_t), "kqueue backend needs 64-bit udata");

/* Identifiers of the internal EVFILT_USER and EVFILT_TIMER knotes (own namespaces). */
#define KQ__IDENT_WAKE  1
#define KQ__IDENT_TIMER 2

/*
 * Longest delay handed to EVFILT_TIMER. macOS converts nanoseconds to mach absolute
 * time and refuses values that overflow (ERANGE); a day is safe everywhere. A longer
 * deadline expires early, which kq.h allows callers to see: io.pekkokq.poll re-arms
 * to its earliest deadline and never runs a timer before it is due.
 */
#define KQ__TIMER_MAX_NS (INT64_C(86400) * 1000000000)

#define KQ__UDATA(token) ((void *)(uintptr_t)(token))

struct kq_poller {
  kq__poller_common common; /* first: see internal.h */
  int kqfd;
  struct kevent *events;
};
_Static_assert(offsetof(struct kq_poller, common) == 0, "common must come first");

/* ---- open / close ---------------------------------------------------------------- */

/*
 * Applies n (<= 4) changes with EV_RECEIPT, so that kevent(2) reports each change's
 * outcome as an EV_ERROR entry (data = 0 or an errno), in the order of the changes,
 * instead of stopping at the first failure. Returns 0 or the -errno of the first failed
 * change; when enoents is not NULL, an EV_DELETE that failed with ENOENT (no such
 * knote) is counted there instead. Any other change failing with ENOENT is an error.
 */
static int kq__apply(int kqfd, struct kevent *changes, int n, int *enoents) {
  static const struct timespec zero = {0, 0}; /* never block: we only want receipts */
  struct kevent receipts[4];
  int r;
  for (int i = 0; i < n; i++) changes[i].flags |= EV_RECEIPT;
  /* EV_RECEIPT changes are idempotent, so retrying an interrupted call is safe. */
  KQ__RETRY(r, kevent(kqfd, changes, n, receipts, n, &zero));
  if (r == -1) return kq__err();
  for (int i = 0; i < r; i++) {
    if (!(receipts[i].flags & EV_ERROR) || receipts[i].data == 0) continue;
    if (enoents != NULL && receipts[i].data == ENOENT && (changes[i].flags & EV_DELETE)) {
      (*enoents)++;
      continue;
    }
    return -(int)receipts[i].data;
  }
  return 0;
}

void kq__backend_free(kq_poller *p) {
  if (p->kqfd >= 0) close(p->kqfd);
  free(p->events);
  free(p);
}

int kq__backend_open(kq_poller **out, int capacity) {
  struct kevent wake;
  kq_poller *p;
  int r = 0;
  if ((p = calloc(1, sizeof *p)) == NULL) return -ENOMEM;
  /* kqueue(2): the queue is not inherited by a fork()ed child; still close it on exec. */
  p->kqfd = kqueue();
  p->events = calloc((size_t)capacity, sizeof *p->events);
  if (p->kqfd == -1) r = kq__err();
  else if (p->events == NULL) r = -ENOMEM;
  else if ((r = kq__set_cloexec(p->kqfd)) == 0) {
    /* EVFILT_USER, kqueue(2): EV_CLEAR resets the trigger once it is returned. */
    EV_SET(&wake, KQ__IDENT_WAKE, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0,
           KQ__UDATA(KQ__TOKEN_WAKE));
    r = kq__apply(p->kqfd, &wake, 1, NULL);
  }
  if (r < 0) {
    kq__backend_free(p);
    return r;
  }
  *out = p;
  return 0;
}

int kq__backend_fd(const kq_poller *p) { return p->kqfd; }

/* ---- registration ---------------------------------------------------------------- */

/*
 * A descriptor has one knote per filter in its interest: EVFILT_READ and/or
 * EVFILT_WRITE, EV_CLEAR, with the token as udata; a filter outside the interest has no
 * knote (EV_DELETE, its ENOENT ignored). All changes go in ONE kevent call. EV_ADD on
 * an existing knote "will modify the parameters of the original event, and not result
 * in a duplicate entry" (kqueue(2)), so modify re-adds what the interest keeps; unlike
 * EPOLL_CTL_MOD, modifying an fd that was never added registers it. An interest of 0
 * leaves no knote (kq_poller_delete then reports ENOENT).
 *
 * Why not EV_ADD | EV_DISABLE for the filter outside the interest: libkqueue reports
 * such a knote anyway (a WRITABLE event for a READ-only registration, test
 * tcp_interest_read_only); a knote that does not exist is reported by no kqueue.
 *
 * add first deletes both filters' knotes. On macOS and FreeBSD that finds nothing
 * (ENOENT, ignored): "calling close() on a file descriptor will remove any kevents
 * that reference the descriptor" (kqueue(2)), and kq.h lets owners close without
 * kq_poller_delete. libkqueue cannot see a close (its BUGS.md) and keeps the knotes of
 * a closed number; EV_ADD on the new file behind that number would only modify them,
 * and the new file would never be watched (test tcp_number_reused_after_close).
 */
int kq__backend_register(kq_poller *p, int fd, uint64_t token, int interest, int add) {
  /* WRITE before READ: libkqueue drops EPOLLRDHUP from its epoll mask when a WRITE
   * knote is added after the READ one, and then never sets EV_EOF for the peer's FIN
   * (test tcp_answer_and_close_during_connect); on a kernel kqueue the order is moot. */
  static const struct {
    short filter;
    int interest;
  } filters[2] = {{EVFILT_WRITE, KQ_INTEREST_WRITE}, {EVFILT_READ, KQ_INTEREST_READ}};
  struct kevent ch[4];
  int n = 0, enoents = 0;
  /* Deletes first: on libkqueue a stale knote of the other filter would otherwise make
   * the add of this one fail. */
  for (int i = 0; i < 2; i++) {
    if (add || !(interest & filters[i].interest)) {
      EV_SET(&ch[n++], fd, filters[i].filter, EV_DELETE, 0, 0, NULL);
    }
  }
  for (int i = 0; i < 2; i++) {
    if (interest & filters[i].interest) {
      EV_SET(&ch[n++], fd, filters[i].filter, EV_ADD | EV_CLEAR, 0, 0, KQ__UDATA(token));
    }
  }
  return kq__apply(p->kqfd, ch, n, &enoents);
}

int kq__backend_delete(kq_poller *p, int fd) {
  struct kevent ch[2];
  int enoents = 0, r;
  EV_SET(&ch[0], fd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
  EV_SET(&ch[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
  if ((r = kq__apply(p->kqfd, ch, 2, &enoents)) < 0) return r;
  /* Both absent means "never added", which EPOLL_CTL_DEL reports as ENOENT too. */
  return enoents == 2 ? -ENOENT : 0;
}

/* ---- internal sources ------------------------------------------------------------ */

int kq__backend_wake(kq_poller *p) {
  struct kevent ev;
  /* NOTE_TRIGGER on an already-triggered EV_CLEAR user event is a no-op: coalesces. */
  EV_SET(&ev, KQ__IDENT_WAKE, EVFILT_USER, 0, NOTE_TRIGGER, 0, KQ__UDATA(KQ__TOKEN_WAKE));
  return kq__apply(p->kqfd, &ev, 1, NULL);
}

int kq__backend_set_timer(kq_poller *p, int64_t delay_ns) {
  struct kevent ev;
  unsigned int unit = 0; /* kqueue(2): data is in milliseconds unless a NOTE_* unit */
  int64_t data;
  if (delay_ns < 0) {
    /* Disarm; ENOENT: never armed, or it fired and EV_ONESHOT deleted it. */
    int enoents = 0;
    EV_SET(&ev, KQ__IDENT_TIMER, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
    return kq__apply(p->kqfd, &ev, 1, &enoents);
  }
  if (delay_ns > KQ__TIMER_MAX_NS) delay_ns = KQ__TIMER_MAX_NS;
#ifdef NOTE_NSECONDS
  unit = NOTE_NSECONDS; /* macOS, FreeBSD >= 11 */
  data = delay_ns;
#else
  data = (delay_ns + 999999) / 1000000; /* milliseconds, rounded up: never early */
#endif
  /* Re-adding an existing timer cancels it, discarding an undelivered expiry, and
   * starts it anew (kqueue(2), EVFILT_TIMER): re-arming replaces, as kq.h asks. */
  EV_SET(&ev, KQ__IDENT_TIMER, EVFILT_TIMER, EV_ADD | EV_ONESHOT, unit, (intptr_t)data,
         NULL);
  return kq__apply(p->kqfd, &ev, 1, NULL);
}

int kq__backend_watch_signal_fd(kq_poller *p, int fd) {
  struct kevent ev;
  /* Level-triggered (no EV_CLEAR) on purpose: bytes left in the pipe when `out` was
   * full must be reported again by the next wait, with no new write. */
  EV_SET(&ev, fd, EVFILT_READ, EV_ADD, 0, 0, KQ__UDATA(KQ__TOKEN_SIGNAL));
  return kq__apply(p->kqfd, &ev, 1, NULL);
}

/* ---- wait ------------------------------------------------------------------------ */

/*
 * One socket knote's readiness as KQ_EV_* bits. kqueue(2): EV_EOF on EVFILT_READ is
 * the peer's FIN (epoll's EPOLLRDHUP); on EVFILT_WRITE it means nothing more can be
 * sent, and a failed connect(2) comes back this way with the error in fflags (the
 * guide: "EV_EOF ... fflags contains the error number"). A pending socket error in
 * fflags marks the fd readable and writable, like EPOLLERR, so its owner finds the
 * error by trying (kq_socket_finish_connect reads the same SO_ERROR).
 */
static uint32_t kq__translate(const struct kevent *e) {
  uint32_t bits = e->filter == EVFILT_READ ? KQ_EV_READABLE : KQ_EV_WRITABLE;
  if (e->flags & EV_EOF) {
    if (e->filter == EVFILT_READ) bits |= KQ_EV_HANGUP;
    if (e->fflags != 0) bits |= KQ_EV_ERROR | KQ_EV_READABLE | KQ_EV_WRITABLE;
  }
  return bits;
}

int kq__backend_wait_once(kq_poller *p, kq_event *out, int max, int timeout_ms,
                          int *signals) {
  /* kevent(2): a NULL timeout waits forever, a zeroed timespec polls. */
  struct timespec ts = {.tv_sec = (time_t)(timeout_ms / 1000),
                        .tv_nsec = (long)(timeout_ms % 1000) * 1000000};
  int ready = kevent(p->kqfd, NULL, 0, p->events, max, timeout_ms < 0 ? NULL : &ts), n = 0;
  if (ready == -1) return kq__err();
  for (int i = 0; i < ready; i++) {
    const struct kevent *e = &p->events[i];
    uint64_t token = (uint64_t)(uintptr_t)e->udata;
    if (e->flags & EV_ERROR) continue; /* a change's receipt: none are sent here */
    if (e->filter == EVFILT_USER) {
      out[n++] = (kq_event){.bits = KQ_EV_WAKEUP};
    } else if (e->filter == EVFILT_TIMER) {
      out[n++] = (kq_event){.bits = KQ_EV_TIMER};
    } else if (token == KQ__TOKEN_SIGNAL) {
      *signals = 1; /* drained last, into whatever room is left */
    } else if (e->filter == EVFILT_READ || e->filter == EVFILT_WRITE) {
      /* READ and WRITE of one fd are two kevents; when adjacent they become one
       * kq_event, as epoll reports them. Apart, the caller handles both (rule 5). */
      if (n > 0 && out[n - 1].token == token) out[n - 1].bits |= kq__translate(e);
      else out[n++] = (kq_event){.token = token, .bits = kq__translate(e)};
    }
  }
  return n;
}
