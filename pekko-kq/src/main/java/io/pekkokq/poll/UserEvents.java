package io.pekkokq.poll;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The triggered user events of one poller, a collaborator of its loop: a lock-free stack
 * linked through the events' own {@code next} fields, so a trigger allocates nothing. Any
 * thread pushes ({@link #push}); the loop takes them all and runs them ({@link #runTriggered}).
 */
final class UserEvents {
  private final AtomicReference<UserEvent> triggered = new AtomicReference<>();

  /** Any thread: an event whose {@code pending} flag this caller flipped. */
  void push(UserEvent event) {
    for (; ; ) {
      UserEvent head = triggered.get();
      event.next = head;
      if (triggered.compareAndSet(head, event)) return;
    }
  }

  /**
   * Loop: runs each triggered event once; a trigger from now on is a new run.
   *
   * @return how many ran
   */
  int runTriggered(ErrorReporter errors) {
    if (triggered.get() == null) return 0; // the common case: a read, no write
    int run = 0;
    UserEvent event = triggered.getAndSet(null);
    while (event != null) {
      UserEvent next = event.next;
      event.next = null;
      event.pending.set(false);
      if (!event.isClosed()) {
        run++;
        try {
          event.action.run();
        } catch (Throwable t) {
          errors.report("user event action failed", t);
        }
      }
      event = next;
    }
    return run;
  }
}
