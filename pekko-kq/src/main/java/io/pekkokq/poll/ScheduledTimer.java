package io.pekkokq.poll;

/**
 * A one-shot or periodic timer riding its poller's single kernel timer. Cancel it from any
 * thread; a cancelled timer never runs again (a run already under way finishes).
 */
public final class ScheduledTimer {
  final Runnable action;
  /** 0 for one-shot; otherwise the fixed delay between the end of one run and the next. */
  final long periodNanos;
  /** System.nanoTime() deadline; owned by the poller thread once queued. */
  long deadline;
  /** Position in the heap, -1 when not in it; poller thread only. */
  int heapIndex = -1;

  private volatile boolean cancelled;

  ScheduledTimer(long deadline, long periodNanos, Runnable action) {
    this.deadline = deadline;
    this.periodNanos = periodNanos;
    this.action = action;
  }

  /** Stops the timer. Returns false if it was already cancelled. */
  public boolean cancel() {
    if (cancelled) return false;
    cancelled = true;
    return true;
  }

  public boolean isCancelled() {
    return cancelled;
  }
}
