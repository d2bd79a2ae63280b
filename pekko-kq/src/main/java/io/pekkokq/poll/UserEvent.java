package io.pekkokq.poll;

/**
 * A USER event: any thread (an actor, a plain thread, a callback from a foreign library)
 * calls {@link #trigger()}, and the poller thread runs the event's action. Triggers
 * before the action runs coalesce into one run, like EV_CLEAR on EVFILT_USER: the action
 * learns that something happened, not how many times.
 *
 * <p>Triggering allocates nothing: a pending event is linked into its poller's
 * lock-free list through its own {@code next} field, and it can be in the list at most
 * once because only the trigger that flips {@code pending} links it.
 */
public final class UserEvent {
  private final Poller poller;
  final Runnable action;
  final java.util.concurrent.atomic.AtomicBoolean pending =
      new java.util.concurrent.atomic.AtomicBoolean();
  /** Next pending event in the poller's list; written before publication, read by the poller. */
  UserEvent next;

  private volatile boolean closed;

  UserEvent(Poller poller, Runnable action) {
    this.poller = poller;
    this.action = action;
  }

  /** Asks the poller to run the action soon; returns at once. Safe from any thread. */
  public void trigger() {
    if (!closed && pending.compareAndSet(false, true)) poller.enqueue(this);
  }

  /** After close, triggers are ignored and a pending run is skipped. */
  public void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }
}
