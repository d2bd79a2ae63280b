package io.pekkokq.runtime;

import java.util.concurrent.atomic.AtomicReference;

/**
 * INTERNAL API. A lock-free stack of {@link WheelTask}s that any thread pushes onto and
 * only the timer thread drains, linked through the tasks themselves (no node per push):
 * {@link WheelTask#next} for the pending stack, {@link WheelTask#nextCancelled} for the
 * cancellations. A push is one compare-and-set; the timer thread takes everything at once
 * with one swap and reverses the chain, so it sees the tasks in the order they were pushed
 * (tasks of one thread with equal delays run in the order they were scheduled, as in
 * Pekko's scheduler). Once closed it refuses pushes, so a closed scheduler holds nothing.
 */
final class TaskStack {
  /** The head of a closed stack. */
  private static final WheelTask CLOSED = new WheelTask(null, 0, null, null);

  private final boolean cancellations;
  private final AtomicReference<WheelTask> head = new AtomicReference<>();

  /** A stack linked through {@link WheelTask#nextCancelled} if {@code cancellations}, else {@link WheelTask#next}. */
  TaskStack(boolean cancellations) {
    this.cancellations = cancellations;
  }

  /** Pushes {@code task}; false if the stack is closed. */
  boolean push(WheelTask task) {
    while (true) {
      WheelTask top = head.get();
      if (top == CLOSED) return false;
      link(task, top);
      if (head.compareAndSet(top, task)) return true;
    }
  }

  /**
   * Everything pushed since the last drain, oldest first, as a chain through the stack's
   * link (null if none). The caller clears each link as it goes, so a task a caller keeps
   * holds no others. Timer thread only.
   */
  WheelTask drain() {
    WheelTask top = head.get();
    if (top == null || top == CLOSED) return null;
    return reversed(head.getAndSet(null));
  }

  /** Closes the stack: what {@link #drain} would return; every later push is refused. */
  WheelTask close() {
    WheelTask top = head.getAndSet(CLOSED);
    return top == CLOSED ? null : reversed(top);
  }

  /** The task after {@code task} in a drained chain; clears the link. */
  WheelTask unlinkNext(WheelTask task) {
    WheelTask next = cancellations ? task.nextCancelled : task.next;
    link(task, null);
    return next;
  }

  private WheelTask reversed(WheelTask top) {
    WheelTask reversed = null;
    while (top != null) {
      WheelTask below = cancellations ? top.nextCancelled : top.next;
      link(top, reversed);
      reversed = top;
      top = below;
    }
    return reversed;
  }

  private void link(WheelTask task, WheelTask next) {
    if (cancellations) task.nextCancelled = next;
    else task.next = next;
  }
}
