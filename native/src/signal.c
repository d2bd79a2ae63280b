/*
 * signal.c - UNIX signals as poller events, without signalfd.
 *
 * Why not signalfd(2): it only sees signals that are blocked in EVERY thread, and a
 * JVM's threads are not ours to block. So this is the classic self-pipe trick: a
 * handler writes the signal number (one byte) into a process-wide non-blocking pipe,
 * and the one poller that watches signals (kq_poller_watch_signals) reads the pipe and
 * turns each byte into a KQ_EV_SIGNAL event. The kqueue backend can use EVFILT_SIGNAL
 * instead and only needs the subscribe/refuse part of this file.
 *
 * Unsubscribing a signal that is not subscribed returns 0 (idempotent, like
 * subscribing twice); an invalid number is -EINVAL and a refused one -EPERM.
 *
 * Bytes the handler cannot write because the pipe is full (64 KiB of undelivered
 * signals) are dropped: signals coalesce anyway (signal(7), "standard signals do not
 * queue").
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* NSIG is not in POSIX.1-2008 before 2024 but every kernel we target defines it. */
#ifndef NSIG
#define NSIG 65
#endif

static pthread_once_t kq__pipe_once = PTHREAD_ONCE_INIT;
static int kq__pipe_fds[2] = {-1, -1};
static int kq__pipe_error;                   /* -errno if the pipe could not be made */
static atomic_int kq__pipe_write_fd = -1;    /* read by the handler: lock-free atomic */

/* Guards the saved dispositions and the watcher; never taken by the handler. */
static pthread_mutex_t kq__signal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction kq__saved[NSIG];
static unsigned char kq__subscribed[NSIG];
static const void *kq__watcher;

/*
 * The handler: async-signal-safe by signal-safety(7) (write(2) only), and preserves
 * errno so the interrupted code does not see a changed errno.
 */
static void kq__signal_handler(int signo) {
  int saved_errno = errno;
  int fd = atomic_load_explicit(&kq__pipe_write_fd, memory_order_relaxed);
  unsigned char byte = (unsigned char)signo;
  if (fd >= 0) {
    ssize_t r = write(fd, &byte, 1); /* EAGAIN when full: dropped, see the file comment */
    (void)r;
  }
  errno = saved_errno;
}

static void kq__pipe_create(void) {
  int r = kq__pipe(kq__pipe_fds);
  if (r < 0) {
    kq__pipe_error = r;
    return;
  }
  atomic_store(&kq__pipe_write_fd, kq__pipe_fds[1]);
}

int kq__signal_pipe_fd(void) {
  int r = pthread_once(&kq__pipe_once, kq__pipe_create);
  if (r != 0) return -r;
  return kq__pipe_error < 0 ? kq__pipe_error : kq__pipe_fds[0];
}

int kq__signal_claim(const void *owner) {
  int r = 0;
  pthread_mutex_lock(&kq__signal_lock);
  if (kq__watcher == NULL) kq__watcher = owner;
  else if (kq__watcher != owner) r = -EBUSY;
  pthread_mutex_unlock(&kq__signal_lock);
  return r;
}

void kq__signal_release(const void *owner) {
  pthread_mutex_lock(&kq__signal_lock);
  if (kq__watcher == owner) kq__watcher = NULL;
  pthread_mutex_unlock(&kq__signal_lock);
}

int kq_signal_is_refused(int signo) {
  /* The JVM's own: crash handling, thread dumps (QUIT), its internals (USR2 on some
   * platforms, TRAP), and the ones nobody may catch (KILL, STOP). */
  static const int refused[] = {SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,  SIGQUIT, SIGUSR2,
                                SIGTRAP, SIGKILL, SIGSTOP, SIGPIPE, SIGABRT, SIGCHLD};
  if (signo <= 0 || signo >= NSIG) return -EINVAL;
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    if (refused[i] == signo) return 1;
  }
  return 0;
}

int kq_signal_subscribe(int signo) {
  struct sigaction sa;
  int r = kq_signal_is_refused(signo);
  if (r != 0) return r < 0 ? r : -EPERM;
  /* The pipe must exist before the handler can run. */
  if ((r = kq__signal_pipe_fd()) < 0) return r;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = kq__signal_handler;
  sigemptyset(&sa.sa_mask);
  /* SA_RESTART: the JVM's own blocking calls are not expecting EINTR from us. */
  sa.sa_flags = SA_RESTART;

  pthread_mutex_lock(&kq__signal_lock);
  if (kq__subscribed[signo]) {
    r = 0;
  } else if (sigaction(signo, &sa, &kq__saved[signo]) == -1) {
    r = kq__err();
  } else {
    kq__subscribed[signo] = 1;
    r = 0;
  }
  pthread_mutex_unlock(&kq__signal_lock);
  return r;
}

int kq_signal_unsubscribe(int signo) {
  int r = kq_signal_is_refused(signo);
  if (r != 0) return r < 0 ? r : -EPERM;
  pthread_mutex_lock(&kq__signal_lock);
  if (kq__subscribed[signo]) {
    if (sigaction(signo, &kq__saved[signo], NULL) == -1) {
      r = kq__err();
    } else {
      kq__subscribed[signo] = 0;
    }
  }
  pthread_mutex_unlock(&kq__signal_lock);
  return r;
}

/* ---- names ----------------------------------------------------------------------- */

static const struct {
  const char *name;
  int signo;
} kq__signal_names[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},
    {"KILL", SIGKILL},   {"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},   {"STOP", SIGSTOP},     {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},   {"URG", SIGURG},       {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"SYS", SIGSYS},
};

int kq_signal_number(const char *name) {
  if (name == NULL) return -EINVAL;
  if (strncasecmp(name, "SIG", 3) == 0) name += 3;
  for (size_t i = 0; i < sizeof kq__signal_names / sizeof kq__signal_names[0]; i++) {
    if (strcasecmp(name, kq__signal_names[i].name) == 0) return kq__signal_names[i].signo;
  }
  return -EINVAL;
}
