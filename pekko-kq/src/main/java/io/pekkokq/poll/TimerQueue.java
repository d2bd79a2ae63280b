package io.pekkokq.poll;

import java.util.Arrays;

/**
 * The timers of one poller: a binary min-heap on deadlines, used by the poller thread
 * only. Thousands of timers cost one kernel timer, armed to the earliest deadline.
 * Cancelled timers are dropped lazily when they reach the top, and swept out in one pass
 * when they make up most of the heap, so frequently reset timeouts cannot pile up.
 */
final class TimerQueue {
  private ScheduledTimer[] heap = new ScheduledTimer[64];
  private int size;

  int size() {
    return size;
  }

  void add(ScheduledTimer timer) {
    if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
    heap[size] = timer;
    timer.heapIndex = size;
    siftUp(size++);
  }

  /** The earliest deadline of a live timer, or Long.MAX_VALUE when there is none. */
  long earliestDeadline() {
    dropCancelledAtTop();
    return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
  }

  /**
   * Runs every live timer whose deadline is not after {@code now}; periodic ones are put
   * back with their next deadline. Never runs a timer before its deadline.
   *
   * @return how many timers ran
   */
  int runDue(long now, ErrorReporter errors) {
    int run = 0;
    for (; ; ) {
      dropCancelledAtTop();
      if (size == 0 || heap[0].deadline - now > 0) break;
      ScheduledTimer timer = removeTop();
      if (!timer.claimRun()) continue; // cancelled since the check above
      run++;
      try {
        timer.action.run();
      } catch (Throwable t) {
        errors.report("timer action failed", t);
      }
      if (timer.periodNanos > 0 && !timer.isCancelled()) {
        timer.deadline = System.nanoTime() + timer.periodNanos;
        add(timer);
      }
    }
    if (size > 64 && countCancelled() > size / 2) sweepCancelled();
    return run;
  }

  private void dropCancelledAtTop() {
    while (size > 0 && heap[0].isCancelled()) removeTop();
  }

  private ScheduledTimer removeTop() {
    ScheduledTimer top = heap[0];
    ScheduledTimer last = heap[--size];
    heap[size] = null;
    top.heapIndex = -1;
    if (size > 0) {
      heap[0] = last;
      last.heapIndex = 0;
      siftDown(0);
    }
    return top;
  }

  private int countCancelled() {
    int n = 0;
    for (int i = 0; i < size; i++) if (heap[i].isCancelled()) n++;
    return n;
  }

  private void sweepCancelled() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      ScheduledTimer t = heap[i];
      if (t.isCancelled()) {
        t.heapIndex = -1;
      } else {
        heap[kept] = t;
        t.heapIndex = kept++;
      }
    }
    Arrays.fill(heap, kept, size, null);
    size = kept;
    for (int i = (size >>> 1) - 1; i >= 0; i--) siftDown(i);
  }

  private void siftUp(int index) {
    ScheduledTimer moving = heap[index];
    while (index > 0) {
      int parent = (index - 1) >>> 1;
      if (heap[parent].deadline - moving.deadline <= 0) break;
      place(heap[parent], index);
      index = parent;
    }
    place(moving, index);
  }

  private void siftDown(int index) {
    ScheduledTimer moving = heap[index];
    int half = size >>> 1;
    while (index < half) {
      int child = 2 * index + 1;
      int right = child + 1;
      if (right < size && heap[right].deadline - heap[child].deadline < 0) child = right;
      if (moving.deadline - heap[child].deadline <= 0) break;
      place(heap[child], index);
      index = child;
    }
    place(moving, index);
  }

  private void place(ScheduledTimer timer, int index) {
    heap[index] = timer;
    timer.heapIndex = index;
  }
}
