/* test-signal.c - signals as KQ_EV_SIGNAL events through the self-pipe. */
#include <signal.h>
#include <unistd.h>

#include "../src/internal.h"
#include "test.h"

int test_signal_names(void) {
  ASSERT_EQ(kq_signal_number("USR1"), SIGUSR1);
  ASSERT_EQ(kq_signal_number("SIGUSR1"), SIGUSR1);
  ASSERT_EQ(kq_signal_number("sigterm"), SIGTERM);
  ASSERT_EQ(kq_signal_number("WINCH"), SIGWINCH);
  ASSERT_EQ(kq_signal_number("NOPE"), -EINVAL);
  ASSERT_EQ(kq_signal_number("SIG"), -EINVAL);
  ASSERT_EQ(kq_signal_number(""), -EINVAL);
  ASSERT_EQ(kq_signal_number(NULL), -EINVAL);
  return 0;
}

int test_signal_refused(void) {
  static const int jvm_owned[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGQUIT, SIGUSR2,
                                  SIGTRAP, SIGKILL, SIGSTOP, SIGPIPE, SIGABRT, SIGCHLD};
  for (size_t i = 0; i < sizeof jvm_owned / sizeof jvm_owned[0]; i++) {
    ASSERT_EQ(kq_signal_is_refused(jvm_owned[i]), 1);
    ASSERT_EQ(kq_signal_subscribe(jvm_owned[i]), -EPERM);
  }
  ASSERT_EQ(kq_signal_is_refused(SIGUSR1), 0);
  ASSERT_EQ(kq_signal_is_refused(0), -EINVAL);
  ASSERT_EQ(kq_signal_subscribe(0), -EINVAL);
  ASSERT_EQ(kq_signal_subscribe(100000), -EINVAL);
  ASSERT_EQ(kq_signal_unsubscribe(-1), -EINVAL);
  return 0;
}

static int handler_of(int signo, void (**out)(int)) {
  struct sigaction sa;
  if (sigaction(signo, NULL, &sa) == -1) return -errno;
  *out = sa.sa_handler;
  return 0;
}

int test_signal_delivered_as_event(void) {
  kq_poller *p;
  kq_event ev[4];
  void (*h)(int) = NULL;
  ASSERT_OK(kq_poller_open(&p, 4));
  ASSERT_OK(kq_signal_subscribe(SIGUSR1));
  ASSERT_OK(kq_signal_subscribe(SIGUSR1)); /* twice: no-op */
  ASSERT_OK(kq_signal_subscribe(SIGHUP));
  ASSERT_OK(kq_poller_watch_signals(p));
  ASSERT_OK(kq_poller_watch_signals(p)); /* again on the same poller: no-op */
  ASSERT_OK(raise(SIGUSR1));
  ASSERT(test_collect(p, SIGUSR1, KQ_EV_SIGNAL, 1000) & KQ_EV_SIGNAL);
  /* Two signals, room for one event: the other waits in the pipe for the next wait. */
  ASSERT_OK(raise(SIGHUP));
  ASSERT_OK(kill(getpid(), SIGUSR1));
  ASSERT_EQ(kq_poller_wait(p, ev, 1, 1000), 1);
  ASSERT_EQ(ev[0].token, SIGHUP);
  ASSERT_EQ(ev[0].bits, KQ_EV_SIGNAL);
  ASSERT_EQ(kq_poller_wait(p, ev, 4, 1000), 1);
  ASSERT_EQ(ev[0].token, SIGUSR1);
  ASSERT_EQ(kq_poller_wait(p, ev, 4, 0), 0);
  /* Unsubscribing restores the previous disposition (here the default). */
  ASSERT_OK(kq_signal_unsubscribe(SIGUSR1));
  ASSERT_OK(kq_signal_unsubscribe(SIGUSR1)); /* not subscribed: 0 */
  ASSERT_OK(kq_signal_unsubscribe(SIGHUP));
  ASSERT_OK(handler_of(SIGUSR1, &h));
  ASSERT(h == SIG_DFL);
  ASSERT_OK(kq_poller_close(p));
  return 0;
}

static void ignore_signal(int signo) { (void)signo; }

int test_signal_one_watcher(void) {
  kq_poller *a, *b;
  struct sigaction mine, saved;
  void (*h)(int) = NULL;
  ASSERT_OK(kq_poller_open(&a, 4));
  ASSERT_OK(kq_poller_open(&b, 4));
  ASSERT_OK(kq_poller_watch_signals(a));
  ASSERT_EQ(kq_poller_watch_signals(b), -EBUSY);
  ASSERT_OK(kq_poller_close(a)); /* releases the role */
  ASSERT_OK(kq_poller_watch_signals(b));
  /* A disposition installed by someone else comes back on unsubscribe. */
  memset(&mine, 0, sizeof mine);
  mine.sa_handler = ignore_signal;
  sigemptyset(&mine.sa_mask);
  ASSERT_OK(sigaction(SIGUSR1, &mine, &saved));
  ASSERT_OK(kq_signal_subscribe(SIGUSR1));
  ASSERT_OK(handler_of(SIGUSR1, &h));
  ASSERT(h != ignore_signal);
  ASSERT_OK(kq_signal_unsubscribe(SIGUSR1));
  ASSERT_OK(handler_of(SIGUSR1, &h));
  ASSERT(h == ignore_signal);
  ASSERT_OK(sigaction(SIGUSR1, &saved, NULL));
  ASSERT_OK(kq_poller_close(b));
  return 0;
}
