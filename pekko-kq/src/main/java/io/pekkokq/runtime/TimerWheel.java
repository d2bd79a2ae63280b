package io.pekkokq.runtime;

import java.util.List;

/**
 * INTERNAL API. The hashed wheel of a {@link KqScheduler}, the timer thread's alone: one
 * bucket per tick of a turn, each a doubly-linked list of {@link WheelTask}s, so a
 * cancelled task is unlinked as soon as the timer thread learns of it, wherever it sits
 * (Pekko's scheduler keeps it until the wheel comes round to its slot). A task due at tick
 * {@code d} sits in bucket {@code d mod buckets}; the bucket of tick {@code t} holds the
 * tasks due then and those due whole turns later, which stay.
 */
final class TimerWheel {
  private final WheelTask[] heads;
  private final WheelTask[] tails;
  private final int mask;
  private int size;

  /** A wheel of {@code buckets} buckets, a power of two. */
  TimerWheel(int buckets) {
    heads = new WheelTask[buckets];
    tails = new WheelTask[buckets];
    mask = buckets - 1;
  }

  /** Links {@code task} into the bucket of tick {@code deadline}, behind the tasks already there. */
  void add(WheelTask task, long deadline) {
    task.deadline = deadline;
    int bucket = (int) (deadline & mask);
    WheelTask tail = tails[bucket];
    task.prev = tail;
    task.next = null;
    if (tail == null) heads[bucket] = task;
    else tail.next = task;
    tails[bucket] = task;
    task.inWheel = true;
    size++;
  }

  /** Unlinks {@code task} if it is in the wheel. */
  void remove(WheelTask task) {
    if (!task.inWheel) return;
    int bucket = (int) (task.deadline & mask);
    if (task.prev == null) heads[bucket] = task.next;
    else task.prev.next = task.next;
    if (task.next == null) tails[bucket] = task.prev;
    else task.next.prev = task.prev;
    task.prev = null;
    task.next = null;
    task.inWheel = false;
    size--;
  }

  /**
   * Tick {@code tick} has come: fires the tasks of its bucket that are due, in the order
   * they were added, and drops the cancelled ones it passes. A task's code may schedule and
   * cancel (a calling-thread execution context runs it here): both only push onto stacks,
   * so the bucket does not change under the walk.
   */
  void expire(long tick) {
    WheelTask task = heads[(int) (tick & mask)];
    while (task != null) {
      WheelTask next = task.next;
      if (task.deadline <= tick || task.isDone()) {
        remove(task);
        task.fire();
      }
      task = next;
    }
  }

  /** How many tasks the wheel holds, cancelled ones not yet unlinked included. */
  int size() {
    return size;
  }

  /** Unlinks every task into {@code out}, bucket by bucket. */
  void drainTo(List<WheelTask> out) {
    for (WheelTask head : heads) {
      for (WheelTask task = head; task != null; ) {
        WheelTask next = task.next;
        remove(task);
        out.add(task);
        task = next;
      }
    }
  }
}
