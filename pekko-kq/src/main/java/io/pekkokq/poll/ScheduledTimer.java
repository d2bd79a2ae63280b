package io.pekkokq.poll;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A one-shot or periodic timer riding its poller's single kernel timer. Cancel it from any
 * thread; a cancelled timer never runs again (a run already under way finishes).
 *
 * <p>Pekko's {@code Cancellable} contract: {@link #cancel()} returns true only when this
 * very call stopped a run from happening. A one-shot timer is therefore claimed by the
 * poller (SCHEDULED to FIRED) before its action runs, and cancelled by a compare-and-set
 * from SCHEDULED to CANCELLED: exactly one of the two wins, and of two concurrent
 * cancels at most one. A periodic timer stays SCHEDULED between runs, so a cancel during
 * a run wins (it prevents the next ones).
 */
public final class ScheduledTimer {
  private static final int SCHEDULED = 0;
  private static final int FIRED = 1;
  private static final int CANCELLED = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(ScheduledTimer.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Runnable action;
  /** 0 for one-shot; otherwise the fixed delay between the end of one run and the next. */
  final long periodNanos;
  /** System.nanoTime() deadline; owned by the poller thread once queued. */
  long deadline;
  /** Position in the heap, -1 when not in it; poller thread only. */
  int heapIndex = -1;

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state = SCHEDULED;

  ScheduledTimer(long deadline, long periodNanos, Runnable action) {
    this.deadline = deadline;
    this.periodNanos = periodNanos;
    this.action = action;
  }

  /**
   * Stops the timer. Returns true only when this call prevented a run: false when it was
   * already cancelled, or when a one-shot timer has already fired (or is firing).
   */
  public boolean cancel() {
    return STATE.compareAndSet(this, SCHEDULED, CANCELLED);
  }

  public boolean isCancelled() {
    return (int) STATE.getVolatile(this) == CANCELLED;
  }

  /**
   * Poller thread, just before running the action: true when it may run. A one-shot timer
   * is claimed for good, so a cancel from now on returns false.
   */
  boolean claimRun() {
    return periodNanos > 0
        ? (int) STATE.getVolatile(this) == SCHEDULED
        : STATE.compareAndSet(this, SCHEDULED, FIRED);
  }
}
