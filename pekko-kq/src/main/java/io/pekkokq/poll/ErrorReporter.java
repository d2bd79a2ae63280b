package io.pekkokq.poll;

/**
 * Where a poller reports failures of the code it runs (listeners, tasks, user events,
 * timers, signal handlers) and of its own waits: the one error interface of the poll
 * layer. The poller never dies of them.
 */
@FunctionalInterface
public interface ErrorReporter {
  ErrorReporter STANDARD_ERROR =
      (what, cause) -> {
        System.err.println("pekko-kq poller: " + what);
        cause.printStackTrace();
      };

  void report(String what, Throwable cause);
}
