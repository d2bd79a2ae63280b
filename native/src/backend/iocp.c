/*
 * iocp.c - the Windows backend: the kq__backend_* hooks of internal.h on an I/O
 * completion port, with socket readiness from the AFD driver's poll (IOCTL_AFD_POLL),
 * the way wepoll and mio get epoll-like readiness on Windows.
 *
 * A poller is:
 *   - one completion port: every completion (socket polls, wake-ups) arrives there and
 *     kq_poller_wait takes them with GetQueuedCompletionStatusEx;
 *   - one AFD helper handle ("\Device\Afd\PekkoKq", opened with NtCreateFile and tied
 *     to the port), on which every poll of the poller is issued;
 *   - per registered socket, ONE poll in flight (NtDeviceIoControlFile, IOCTL_AFD_POLL)
 *     on the socket's base handle (SIO_BASE_HANDLE: under a layered provider the
 *     caller's handle is not the one AFD knows). Its completion is one report; the poll
 *     is then issued again. A poll whose events must change (kq_poller_modify, a
 *     re-arm, kq_poller_delete, kq_close) is cancelled (NtCancelIoFileEx) and issued
 *     again, or freed, when its cancelled completion arrives: the kernel owns the poll's
 *     memory until then;
 *   - the wake-up: PostQueuedCompletionStatus of a packet with key KQ__KEY_WAKE, posted
 *     only when none is pending (so wake-ups coalesce, as the eventfd's do);
 *   - the one timer: a deadline (QueryPerformanceCounter) that bounds the wait's
 *     timeout, checked when the wait returns; set from another thread while a wait
 *     blocks, it posts a KQ__KEY_TIMER packet (never reported) so the wait recomputes.
 *
 * EDGE TRIGGERING. AFD's poll is level-like: it completes at once while the condition
 * holds. epoll's EPOLLET is emulated by remembering, per socket, which kinds of
 * readiness were reported (`delivered`) and leaving them out of the next poll until
 * the owner has used the edge up: src/windows/socket.c calls kq__iocp_rearm when a read
 * drains the socket (-EAGAIN or a short read), a write fills it (-EAGAIN or a short
 * write), an accept finds nothing or a connect is pending. So, as on epoll: one event per
 * edge; an owner that stops before EAGAIN gets no further event; new data after a
 * drain is a new event; kq_poller_modify reports the current readiness again.
 * The hang-up, abort and connect-failure conditions are reported once each.
 *
 * Locking: one process-wide SRW lock guards every socket state and the table from
 * socket to state (kq__iocp_rearm and kq_close only have the socket, and may run on any
 * thread). It is taken once per wait (not per event) and per registration change.
 *
 * Signals do not exist on Windows: kq_poller_watch_signals is -EOPNOTSUPP
 * (src/windows/unsupported.c), so kq__backend_watch_signal_fd is never reached.
 *
 * Next to read: src/windows/socket.c.
 */
#include <stdlib.h>
#include <string.h>
#include <winternl.h>

#include "internal.h"

/* ---- the AFD interface (not in the SDK headers: as wepoll and mio declare it) ---- */

#define KQ__IOCTL_AFD_POLL 0x00012024
#define KQ__AFD_RECEIVE 0x0001
#define KQ__AFD_SEND 0x0004
#define KQ__AFD_DISCONNECT 0x0008
#define KQ__AFD_ABORT 0x0010
#define KQ__AFD_LOCAL_CLOSE 0x0020
#define KQ__AFD_ACCEPT 0x0080
#define KQ__AFD_CONNECT_FAIL 0x0100
#define KQ__SIO_BASE_HANDLE 0x48000022

#ifndef STATUS_PENDING
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#endif
#ifndef STATUS_CANCELLED
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#endif
#ifndef STATUS_NOT_FOUND
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)
#endif

typedef struct kq__afd_handle {
  HANDLE handle;
  ULONG events;
  NTSTATUS status;
} kq__afd_handle;

typedef struct kq__afd_poll {
  LARGE_INTEGER timeout;
  ULONG count;
  ULONG exclusive;
  kq__afd_handle handles[1];
} kq__afd_poll;

NTSTATUS NTAPI NtCancelIoFileEx(HANDLE file, PIO_STATUS_BLOCK request, PIO_STATUS_BLOCK status);

/* Completion keys of the port's own packets; socket polls come with key 0 and their
 * IO_STATUS_BLOCK as the overlapped pointer. */
#define KQ__KEY_WAKE 1
#define KQ__KEY_TIMER 2

/* The kinds of readiness reported once per edge (the `delivered` bits). */
#define KQ__EDGE_READ (KQ__AFD_RECEIVE | KQ__AFD_ACCEPT)
#define KQ__EDGE_WRITE KQ__AFD_SEND
#define KQ__ONCE (KQ__AFD_DISCONNECT | KQ__AFD_ABORT | KQ__AFD_CONNECT_FAIL)

/* ---- state ----------------------------------------------------------------------- */

typedef struct kq__sock {
  struct kq__sock *next_in_bucket; /* the table from socket to state */
  struct kq__sock *prev, *next;    /* the poller's list, for close */
  kq_poller *poller;
  kq_fd fd;
  HANDLE base;       /* the socket's base handle, which AFD polls */
  uint64_t token;
  int interest;      /* KQ_INTEREST_* */
  ULONG delivered;   /* AFD bits reported and not re-armed yet */
  ULONG polling;     /* the events of the poll in flight; 0: none in flight */
  int cancelling;    /* that poll was cancelled; its completion is awaited */
  int detached;      /* deleted or closed: freed when no poll is in flight */
  IO_STATUS_BLOCK iosb;
  kq__afd_poll info;
} kq__sock;

struct kq_poller {
  kq__poller_common common; /* first: see internal.h */
  HANDLE port;
  HANDLE afd;
  kq__sock *socks;            /* registered or still in flight */
  volatile LONG wake_pending; /* a KQ__KEY_WAKE packet is queued */
  volatile LONG waiting;      /* a thread is inside GetQueuedCompletionStatusEx */
  volatile LONG64 deadline;   /* the timer's deadline in ns of kq__win_now_ns, or -1 */
  OVERLAPPED_ENTRY *entries;
};
_Static_assert(offsetof(struct kq_poller, common) == 0, "common must come first");

static SRWLOCK kq__lock = SRWLOCK_INIT;

/* The table from socket to state: chained buckets, so it never has to grow. */
#define KQ__BUCKETS 4096
static kq__sock *kq__table[KQ__BUCKETS];

static kq__sock **kq__bucket(kq_fd fd) {
  return &kq__table[((uintptr_t)fd >> 2) % KQ__BUCKETS]; /* handles are multiples of 4 */
}

static kq__sock *kq__find(kq_fd fd) {
  for (kq__sock *s = *kq__bucket(fd); s != NULL; s = s->next_in_bucket) {
    if (s->fd == fd) return s;
  }
  return NULL;
}

static void kq__unlink_table(kq__sock *s) {
  for (kq__sock **at = kq__bucket(s->fd); *at != NULL; at = &(*at)->next_in_bucket) {
    if (*at == s) {
      *at = s->next_in_bucket;
      return;
    }
  }
}

static void kq__free_sock(kq__sock *s) {
  kq_poller *p = s->poller;
  if (s->prev != NULL) s->prev->next = s->next;
  else p->socks = s->next;
  if (s->next != NULL) s->next->prev = s->prev;
  free(s);
}

/* ---- time ------------------------------------------------------------------------ */

int64_t kq__win_now_ns(void) {
  static LARGE_INTEGER freq; /* constant since boot; the first call races harmlessly */
  LARGE_INTEGER now;
  if (freq.QuadPart == 0) QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&now);
  return now.QuadPart / freq.QuadPart * INT64_C(1000000000) +
         now.QuadPart % freq.QuadPart * INT64_C(1000000000) / freq.QuadPart;
}

/* ---- polls ----------------------------------------------------------------------- */

/* What the next poll of s asks for: the interest less the edges not yet used up. */
static ULONG kq__wanted(const kq__sock *s) {
  ULONG want = KQ__AFD_LOCAL_CLOSE | KQ__ONCE; /* as epoll: RDHUP, HUP, ERR always */
  if (s->interest & KQ_INTEREST_READ) want |= KQ__EDGE_READ;
  if (s->interest & KQ_INTEREST_WRITE) want |= KQ__EDGE_WRITE;
  return want & ~s->delivered;
}

static int kq__ntstatus_err(NTSTATUS status) {
  return kq__win_errno(RtlNtStatusToDosError(status));
}

/* Issues s's poll. Under the lock, with no poll of s in flight. */
static int kq__submit(kq_poller *p, kq__sock *s) {
  ULONG want = kq__wanted(s);
  NTSTATUS status;
  s->info.timeout.QuadPart = INT64_MAX;
  s->info.count = 1;
  s->info.exclusive = FALSE;
  s->info.handles[0].handle = s->base;
  s->info.handles[0].events = want;
  s->info.handles[0].status = 0;
  s->iosb.Status = STATUS_PENDING;
  status = NtDeviceIoControlFile(p->afd, NULL, NULL, &s->iosb, &s->iosb, KQ__IOCTL_AFD_POLL,
                                 &s->info, sizeof s->info, &s->info, sizeof s->info);
  /* Success at once is queued to the port all the same (no skip-on-success mode). */
  if (status != STATUS_PENDING && !NT_SUCCESS(status)) return kq__ntstatus_err(status);
  s->polling = want;
  s->cancelling = 0;
  return 0;
}

/* Cancels s's poll in flight, once; its completion (cancelled) comes through the port. */
static void kq__cancel(kq_poller *p, kq__sock *s) {
  IO_STATUS_BLOCK ignored;
  if (s->polling == 0 || s->cancelling) return;
  s->cancelling = 1;
  /* STATUS_NOT_FOUND: it completed meanwhile; that completion is on its way. */
  NtCancelIoFileEx(p->afd, &s->iosb, &ignored);
}

/* Makes s's poll ask for what it should: re-issued at once, or after its cancellation. */
static int kq__update(kq_poller *p, kq__sock *s) {
  if (s->polling == 0) return kq__submit(p, s);
  if (s->polling != kq__wanted(s)) kq__cancel(p, s);
  return 0;
}

/* Detaches s: freed now, or when its poll in flight has completed. */
static void kq__detach(kq_poller *p, kq__sock *s) {
  kq__unlink_table(s);
  s->detached = 1;
  if (s->polling == 0) kq__free_sock(s);
  else kq__cancel(p, s);
}

/* ---- open / close ---------------------------------------------------------------- */

static int kq__open_afd(HANDLE port, HANDLE *out) {
  static const WCHAR name[] = L"\\Device\\Afd\\PekkoKq";
  UNICODE_STRING path = {sizeof name - sizeof(WCHAR), sizeof name, (PWSTR)name};
  OBJECT_ATTRIBUTES attributes;
  IO_STATUS_BLOCK iosb;
  HANDLE afd;
  NTSTATUS status;
  InitializeObjectAttributes(&attributes, &path, 0, NULL, NULL);
  status = NtCreateFile(&afd, SYNCHRONIZE, &attributes, &iosb, NULL, 0,
                        FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, NULL, 0);
  if (!NT_SUCCESS(status)) return kq__ntstatus_err(status);
  if (CreateIoCompletionPort(afd, port, 0, 0) == NULL ||
      !SetFileCompletionNotificationModes(afd, FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    int r = kq__win_errno(GetLastError());
    CloseHandle(afd);
    return r;
  }
  *out = afd;
  return 0;
}

/*
 * Takes the completions of polls still in flight after they were cancelled, so their
 * memory is freed only once the kernel is done with it. Bounded: a poll the kernel
 * never gives back (not seen, even under wine) is left allocated rather than freed
 * under the kernel's feet.
 */
static void kq__drain_cancelled(kq_poller *p, int capacity) {
  int64_t end = kq__win_now_ns() + INT64_C(5000000000);
  while (p->socks != NULL && kq__win_now_ns() < end) {
    ULONG count = 0;
    if (!GetQueuedCompletionStatusEx(p->port, p->entries, (ULONG)capacity, &count, 100, FALSE)) {
      continue;
    }
    AcquireSRWLockExclusive(&kq__lock);
    for (ULONG i = 0; i < count; i++) {
      IO_STATUS_BLOCK *iosb = (IO_STATUS_BLOCK *)(void *)p->entries[i].lpOverlapped;
      if (iosb == NULL) continue;
      kq__sock *s = (kq__sock *)(void *)((char *)iosb - offsetof(kq__sock, iosb));
      s->polling = 0;
      kq__free_sock(s);
    }
    ReleaseSRWLockExclusive(&kq__lock);
  }
}

void kq__backend_free(kq_poller *p) {
  if (p->afd != NULL) {
    AcquireSRWLockExclusive(&kq__lock);
    for (kq__sock *s = p->socks, *next; s != NULL; s = next) {
      next = s->next;
      if (!s->detached) kq__detach(p, s);
    }
    ReleaseSRWLockExclusive(&kq__lock);
    kq__drain_cancelled(p, p->common.capacity > 0 ? p->common.capacity : 1);
    CloseHandle(p->afd);
  }
  if (p->port != NULL) CloseHandle(p->port);
  free(p->entries);
  free(p);
}

int kq__backend_open(kq_poller **out, int capacity) {
  kq_poller *p;
  int r;
  if ((r = kq__wsa_init()) < 0) return r;
  if ((p = calloc(1, sizeof *p)) == NULL) return -ENOMEM;
  p->deadline = -1;
  p->common.capacity = capacity; /* also set by poller_common.c; needed by free on failure */
  p->entries = calloc((size_t)capacity, sizeof *p->entries);
  p->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  if (p->entries == NULL) {
    r = -ENOMEM;
  } else if (p->port == NULL) {
    r = kq__win_errno(GetLastError());
  } else {
    r = kq__open_afd(p->port, &p->afd);
  }
  if (r < 0) {
    kq__backend_free(p);
    return r;
  }
  *out = p;
  return 0;
}

int kq__backend_fd(const kq_poller *p) { return (int)(intptr_t)p->port; }

/* ---- registration ---------------------------------------------------------------- */

static int kq__base_handle(kq_fd fd, HANDLE *out) {
  SOCKET base = INVALID_SOCKET;
  DWORD bytes = 0;
  if (WSAIoctl((SOCKET)(uintptr_t)fd, KQ__SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &bytes,
               NULL, NULL) != 0) {
    return kq__wsa_err();
  }
  *out = (HANDLE)base;
  return 0;
}

static int kq__add(kq_poller *p, kq_fd fd, uint64_t token, int interest) {
  kq__sock *s;
  HANDLE base = NULL;
  int r;
  if (kq__find(fd) != NULL) return -EEXIST; /* as epoll_ctl(EPOLL_CTL_ADD) */
  if ((r = kq__base_handle(fd, &base)) < 0) return r;
  if ((s = calloc(1, sizeof *s)) == NULL) return -ENOMEM;
  s->poller = p;
  s->fd = fd;
  s->base = base;
  s->token = token;
  s->interest = interest;
  if ((r = kq__submit(p, s)) < 0) {
    free(s);
    return r;
  }
  s->next_in_bucket = *kq__bucket(fd);
  *kq__bucket(fd) = s;
  s->next = p->socks;
  if (p->socks != NULL) p->socks->prev = s;
  p->socks = s;
  return 0;
}

int kq__backend_register(kq_poller *p, kq_fd fd, uint64_t token, int interest, int add) {
  kq__sock *s;
  int r;
  AcquireSRWLockExclusive(&kq__lock);
  if (add) {
    r = kq__add(p, fd, token, interest);
  } else if ((s = kq__find(fd)) == NULL || s->poller != p) {
    r = -ENOENT;
  } else {
    /* As EPOLL_CTL_MOD: a fresh registration, whose current readiness is reported. */
    s->token = token;
    s->interest = interest;
    s->delivered = 0;
    r = kq__update(p, s);
  }
  ReleaseSRWLockExclusive(&kq__lock);
  return r;
}

int kq__backend_delete(kq_poller *p, kq_fd fd) {
  kq__sock *s;
  int r = 0;
  AcquireSRWLockExclusive(&kq__lock);
  if ((s = kq__find(fd)) == NULL || s->poller != p) r = -ENOENT;
  else kq__detach(p, s);
  ReleaseSRWLockExclusive(&kq__lock);
  return r;
}

void kq__iocp_rearm(kq_fd fd, int interest) {
  kq__sock *s;
  ULONG edge = (interest & KQ_INTEREST_READ ? KQ__EDGE_READ : 0) |
               (interest & KQ_INTEREST_WRITE ? KQ__EDGE_WRITE : 0);
  AcquireSRWLockExclusive(&kq__lock);
  if ((s = kq__find(fd)) != NULL && (s->delivered & edge) != 0) {
    s->delivered &= ~edge;
    kq__update(s->poller, s); /* an error shows at the next wait: the poll stays off */
  }
  ReleaseSRWLockExclusive(&kq__lock);
}

void kq__iocp_forget(kq_fd fd) {
  kq__sock *s;
  AcquireSRWLockExclusive(&kq__lock);
  if ((s = kq__find(fd)) != NULL) kq__detach(s->poller, s);
  ReleaseSRWLockExclusive(&kq__lock);
}

/* ---- internal sources ------------------------------------------------------------ */

int kq__backend_wake(kq_poller *p) {
  if (InterlockedCompareExchange(&p->wake_pending, 1, 0) != 0) return 0; /* one is queued */
  if (!PostQueuedCompletionStatus(p->port, 0, KQ__KEY_WAKE, NULL)) {
    InterlockedExchange(&p->wake_pending, 0);
    return kq__win_errno(GetLastError());
  }
  return 0;
}

int kq__backend_set_timer(kq_poller *p, int64_t delay_ns) {
  int64_t now = kq__win_now_ns();
  /* Saturated: a delay of centuries is "never" rather than an overflow. */
  int64_t deadline = delay_ns < 0 ? -1 : delay_ns > INT64_MAX - now ? INT64_MAX : now + delay_ns;
  InterlockedExchange64(&p->deadline, deadline);
  /* A wait already blocking computed its timeout from the old deadline: make it look
   * again (the packet is not reported). Both sides use full barriers, so either the
   * wait sees the new deadline or this sees the wait. */
  if (InterlockedCompareExchange(&p->waiting, 0, 0) != 0 &&
      !PostQueuedCompletionStatus(p->port, 0, KQ__KEY_TIMER, NULL)) {
    return kq__win_errno(GetLastError());
  }
  return 0;
}

int kq__backend_watch_signal_fd(kq_poller *p, int fd) {
  (void)p, (void)fd;
  return -EOPNOTSUPP;
}

/* ---- wait ------------------------------------------------------------------------ */

/* AFD events -> KQ_EV_* bits, as epoll.c translates EPOLL* bits. */
static uint32_t kq__translate(ULONG e) {
  uint32_t bits = 0;
  if (e & (KQ__AFD_RECEIVE | KQ__AFD_ACCEPT)) bits |= KQ_EV_READABLE;
  if (e & KQ__AFD_SEND) bits |= KQ_EV_WRITABLE;
  /* The peer's FIN: EPOLLRDHUP, and EOF is readable. */
  if (e & KQ__AFD_DISCONNECT) bits |= KQ_EV_HANGUP | KQ_EV_READABLE;
  /* A reset: EPOLLHUP | EPOLLERR on epoll, with both directions to try. */
  if (e & KQ__AFD_ABORT) bits |= KQ_EV_HANGUP | KQ_EV_ERROR | KQ_EV_READABLE | KQ_EV_WRITABLE;
  /* A failed connect: EPOLLERR; the owner asks kq_socket_finish_connect. */
  if (e & KQ__AFD_CONNECT_FAIL) bits |= KQ_EV_ERROR | KQ_EV_READABLE | KQ_EV_WRITABLE;
  return bits;
}

/* One poll's completion, under the lock: its report (0 bits: none), then the next poll. */
static uint32_t kq__complete(kq_poller *p, kq__sock *s) {
  ULONG events = 0;
  uint32_t bits;
  s->polling = 0;
  if (s->detached) {
    kq__free_sock(s);
    return 0;
  }
  if (NT_SUCCESS(s->iosb.Status) && s->info.count == 1) {
    events = s->info.handles[0].events;
  } else if (s->iosb.Status != STATUS_CANCELLED) {
    events = KQ__AFD_LOCAL_CLOSE; /* the handle went away under the poll */
  }
  if (events & KQ__AFD_LOCAL_CLOSE) {
    /* Closed by something other than kq_close (closesocket by a caller): detach, as a
     * closed descriptor leaves an epoll set. */
    kq__detach(p, s);
    return 0;
  }
  events &= kq__wanted(s); /* a report asked for by an older registration is dropped */
  s->delivered |= events & (KQ__EDGE_READ | KQ__EDGE_WRITE | KQ__ONCE);
  bits = kq__translate(events);
  if (kq__submit(p, s) < 0) {
    /* Not polled any more; reported as an error so the owner tries and finds out. */
    bits |= KQ_EV_ERROR | KQ_EV_READABLE | KQ_EV_WRITABLE;
  }
  return bits;
}

static DWORD kq__timeout(const kq_poller *p, int timeout_ms) {
  int64_t deadline = InterlockedCompareExchange64((volatile LONG64 *)&p->deadline, 0, 0);
  DWORD wait = timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms;
  if (deadline >= 0) {
    int64_t left = deadline - kq__win_now_ns();
    /* Rounded up: the wait never ends before the deadline for want of a millisecond. */
    int64_t ms = left <= 0 ? 0 : (left + 999999) / 1000000;
    if (ms < (int64_t)wait || wait == INFINITE) wait = ms > 0x7fffffff ? 0x7fffffff : (DWORD)ms;
  }
  return wait;
}

int kq__backend_wait_once(kq_poller *p, kq_event *out, int max, int timeout_ms,
                          int *signals) {
  ULONG count = 0;
  BOOL ok;
  int n = 0, woke = 0;
  int64_t deadline;
  (void)signals;
  InterlockedExchange(&p->waiting, 1);
  ok = GetQueuedCompletionStatusEx(p->port, p->entries, (ULONG)max, &count,
                                   kq__timeout(p, timeout_ms), FALSE);
  InterlockedExchange(&p->waiting, 0);
  if (!ok) {
    DWORD err = GetLastError();
    if (err != WAIT_TIMEOUT) return kq__win_errno(err);
    count = 0;
  }
  if (count > 0) AcquireSRWLockExclusive(&kq__lock);
  for (ULONG i = 0; i < count; i++) {
    const OVERLAPPED_ENTRY *e = &p->entries[i];
    if (e->lpOverlapped == NULL) {
      if (e->lpCompletionKey == KQ__KEY_WAKE && !woke) {
        InterlockedExchange(&p->wake_pending, 0);
        out[n++] = (kq_event){.bits = KQ_EV_WAKEUP};
        woke = 1;
      }
      continue; /* KQ__KEY_TIMER: only made this wait recompute its timeout */
    }
    kq__sock *s = (kq__sock *)(void *)((char *)e->lpOverlapped - offsetof(kq__sock, iosb));
    uint64_t token = s->token;
    uint32_t bits = kq__complete(p, s);
    if (bits != 0) out[n++] = (kq_event){.token = token, .bits = bits};
  }
  if (count > 0) ReleaseSRWLockExclusive(&kq__lock);
  /* The timer, if due and there is room (else it stays due for the next wait). */
  deadline = InterlockedCompareExchange64(&p->deadline, 0, 0);
  if (deadline >= 0 && n < max && kq__win_now_ns() >= deadline &&
      InterlockedCompareExchange64(&p->deadline, -1, deadline) == deadline) {
    out[n++] = (kq_event){.bits = KQ_EV_TIMER};
  }
  return n;
}
