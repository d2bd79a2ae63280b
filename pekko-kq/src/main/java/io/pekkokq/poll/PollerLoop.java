package io.pekkokq.poll;

import io.pekkokq.metrics.jfr.JfrSupport;
import io.pekkokq.metrics.jfr.SlowPollerTurn;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.EventArray;
import io.pekkokq.sys.KernelQueue;
import io.pekkokq.sys.ReadyBits;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * The thread-owned side of a {@link Poller}: the loop its thread runs, and every piece of
 * state only that thread touches (the event array, local tasks, the turn count). The
 * {@link Poller} is the thread-safe handle other threads use; it calls into this class
 * only from the poller thread ({@link #addLocalTask}), and reads only what the loop
 * publishes ({@link #currentTurn}, {@link #counters}).
 *
 * <p>One turn: wait in the kernel (no timeout while nothing is queued), dispatch each
 * event to its registration's listener (a stale token finds none and is dropped), then
 * run tasks handed over from other threads and from this one, triggered {@link
 * UserEvents}, and due {@link PollerTimers}, which re-arm the one kernel timer.
 */
final class PollerLoop {
  /** Tasks taken from other threads per turn; bounds a turn when producers outpace us. */
  private static final int REMOTE_TASKS_PER_TURN = 4096;

  private final Poller poller;
  private final KernelQueue queue;
  private final SlotTable slots;
  private final PollerTimers timers;
  private final UserEvents userEvents;
  private final ErrorReporter errors;
  /** Poller thread only: tasks to run in this turn or the next. */
  private final ArrayDeque<Runnable> localTasks = new ArrayDeque<>();
  /**
   * The number of the turn the loop is in, 0 while it waits in the kernel: what a
   * watchdog reads to notice a task that blocks the poller. Written with lazySet, a plain
   * store, twice a turn; no clock is read here.
   */
  private final AtomicLong currentTurn = new AtomicLong();
  /** Turns begun so far. */
  private long turns;
  /** Written by this thread only; any thread may read them. */
  private final PollerCounters counters = new PollerCounters();
  /**
   * Whether each turn is timed (two clock reads a turn) for the longest turn and the
   * slow-turn event: {@code pekko.io.kq.metrics.enabled}.
   */
  private final boolean timeTurns;
  /** A turn at least this long is a {@link SlowPollerTurn} event; Long.MAX_VALUE: never. */
  private final long slowTurnNanos;

  PollerLoop(
      Poller poller, KernelQueue queue, SlotTable slots, PollerTimers timers, UserEvents userEvents,
      ErrorReporter errors, boolean timeTurns, long slowTurnNanos) {
    this.timeTurns = timeTurns;
    this.slowTurnNanos = JfrSupport.AVAILABLE && slowTurnNanos > 0 ? slowTurnNanos : Long.MAX_VALUE;
    this.poller = poller;
    this.queue = queue;
    this.slots = slots;
    this.timers = timers;
    this.userEvents = userEvents;
    this.errors = errors;
  }

  /** Poller thread only: runs after the current batch; the loop cannot be asleep. */
  void addLocalTask(Runnable task) {
    localTasks.add(task);
  }

  /** Any thread. */
  long currentTurn() {
    return currentTurn.get();
  }

  /** Any thread: the loop's counters, for snapshots. */
  PollerCounters counters() {
    return counters;
  }

  /** The poller thread's whole life. */
  void run() {
    EventArray events = queue.events();
    try {
      while (poller.isOpen()) {
        // Queued tasks must not wait for I/O: look at the kernel without blocking, then run them.
        currentTurn.lazySet(0);
        int count = queue.await(localTasks.isEmpty() ? -1 : 0);
        currentTurn.lazySet(++turns);
        long began = timeTurns ? System.nanoTime() : 0;
        counters.add(PollerCounters.TURNS, 1);
        if (count < 0) {
          if (!queue.isOpen()) break;
          errors.report("wait failed: " + Errno.message(count), new IOException(Errno.message(count)));
          continue;
        }
        counters.add(PollerCounters.EVENTS, count);
        for (int i = 0; i < count; i++) {
          long token = events.token(i);
          int bits = events.bits(i);
          if (Token.generation(token) != 0) {
            dispatch(token, bits);
          } else if ((bits & ReadyBits.SIGNAL) != 0) {
            deliverSignal((int) token);
          } else if ((bits & ReadyBits.TIMER) != 0) {
            timers.kernelTimerFired();
          } else if ((bits & ReadyBits.WAKEUP) != 0) {
            // Nothing to do per event: the pending work below runs after every wait.
            counters.add(PollerCounters.WAKEUPS, 1);
          }
        }
        int tasksRun = runPendingWork();
        if (timeTurns) turnEnded(System.nanoTime() - began, count, tasksRun);
      }
    } catch (Throwable fatal) {
      errors.report("poller " + poller.name() + " stopped", fatal);
    } finally {
      poller.loopEnded();
      currentTurn.lazySet(0);
      Executor fallback = poller.fallback();
      Runnable task;
      while ((task = localTasks.poll()) != null) poller.runOn(fallback, task);
      poller.drainRemoteTasksTo(fallback);
      queue.close();
    }
  }

  private void dispatch(long token, int bits) {
    Registration registration = slots.lookup(token);
    if (registration == null) {
      counters.add(PollerCounters.STALE_EVENTS, 1);
      return;
    }
    try {
      registration.listener().onReady(bits & ReadyBits.IO_MASK);
    } catch (Throwable t) {
      errors.report("listener of " + registration + " failed", t);
    }
  }

  private void deliverSignal(int signo) {
    IntConsumer handler = poller.signalHandler();
    if (handler == null) return;
    try {
      handler.accept(signo);
    } catch (Throwable t) {
      errors.report("signal handler failed for signal " + signo, t);
    }
  }

  private void turnEnded(long nanos, int events, int tasksRun) {
    counters.turnTook(nanos);
    if (nanos >= slowTurnNanos && JfrSupport.ready()) SlowPollerTurn.commit(poller.name(), nanos, events, tasksRun);
  }

  /** @return how many tasks ran */
  private int runPendingWork() throws IOException {
    poller.wakeupConsumed(); // before draining, so a later producer wakes us again
    Runnable task;
    int taken = 0;
    while (taken < REMOTE_TASKS_PER_TURN && (task = poller.pollRemoteTask()) != null) {
      localTasks.add(task);
      taken++;
    }
    if (taken == REMOTE_TASKS_PER_TURN) poller.wakeup(); // more may wait: the next wait must not block
    // Only what is queued now: tasks queued by these run next turn, after a look at I/O.
    int run = localTasks.size();
    for (int n = run; n > 0; n--) {
      task = localTasks.poll();
      try {
        task.run();
      } catch (Throwable t) {
        errors.report("task failed", t);
      }
    }
    counters.add(PollerCounters.TASKS, run);
    counters.add(PollerCounters.USER_EVENTS, userEvents.runTriggered(errors));
    counters.add(PollerCounters.TIMERS, timers.runDueAndRearm(queue, errors));
    return run;
  }
}
