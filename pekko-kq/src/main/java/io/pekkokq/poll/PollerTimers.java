package io.pekkokq.poll;

import io.pekkokq.sys.KernelQueue;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The timers of one poller, a collaborator of its loop: any thread adds a timer
 * ({@link #add}); the loop moves new timers into its heap, runs the due ones and arms the
 * poller's one kernel timer to the earliest deadline ({@link #runDueAndRearm}). Other
 * threads wake the poller only when their deadline is earlier than the armed one.
 */
final class PollerTimers {
  /** Sentinel of {@link #armedDeadline}: the loop is re-arming, wake it for any timer. */
  private static final long REARMING = Long.MIN_VALUE;
  /** Sentinel of {@link #armedDeadline} and {@link #kernelDeadline}: no timer armed. */
  private static final long NONE = Long.MAX_VALUE;

  private final ConcurrentLinkedQueue<ScheduledTimer> incoming = new ConcurrentLinkedQueue<>();
  /** The deadline the kernel timer will wake the loop for, as other threads may read it. */
  private volatile long armedDeadline = NONE;
  /** Loop only: the heap of live timers. */
  private final TimerQueue heap = new TimerQueue();
  /** Loop only: the deadline the kernel timer is armed to. */
  private long kernelDeadline = NONE;

  /**
   * Any thread: queues {@code timer} for the loop.
   *
   * @return true when the loop must be woken to arm the kernel timer for it; false when
   *     the kernel timer fires no later than its deadline anyway (the loop picks new
   *     timers up whenever it wakes)
   */
  boolean add(ScheduledTimer timer) {
    incoming.add(timer);
    long armed = armedDeadline;
    return armed == REARMING || armed == NONE || timer.deadline - armed < 0;
  }

  /** Loop: the kernel timer fired; a timerfd fires once per arming. */
  void kernelTimerFired() {
    kernelDeadline = NONE;
  }

  /**
   * Loop: runs the due timers, then re-arms the kernel timer if the earliest deadline moved.
   *
   * @return how many timers ran
   */
  int runDueAndRearm(KernelQueue kernel, ErrorReporter errors) throws IOException {
    armedDeadline = REARMING;
    ScheduledTimer timer;
    while ((timer = incoming.poll()) != null) {
      if (!timer.isCancelled()) heap.add(timer);
    }
    int run = heap.runDue(System.nanoTime(), errors);
    long next = heap.earliestDeadline();
    if (next != kernelDeadline) {
      // The delay is computed after `now`, so the kernel cannot fire before the deadline.
      kernel.setTimer(next == NONE ? -1 : Math.max(0, next - System.nanoTime()));
      kernelDeadline = next;
    }
    armedDeadline = next;
    return run;
  }
}
