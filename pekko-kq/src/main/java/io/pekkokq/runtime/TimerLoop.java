package io.pekkokq.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.event.LoggingAdapter;

/**
 * INTERNAL API. The timer thread of a {@link KqScheduler} and everything only it touches.
 * Each turn of its loop it moves the newly scheduled tasks into the {@link TimerWheel},
 * unlinks the newly cancelled ones, and then either waits for the next tick or, when the
 * tick has come, fires that tick's bucket. A behind loop (a long task on a calling-thread
 * execution context, a stalled machine) catches up tick by tick without waiting, as
 * Pekko's does, and still unlinks cancellations between ticks.
 *
 * <p>A task is placed by its delay in ticks counted from when the timer thread took it,
 * rounded up to the next tick: it never runs before its delay, and runs at most about a
 * tick later than Pekko's scheduler would run it (Pekko counts from the same moment).
 *
 * <p>Scheduling and cancelling reach this thread through two lock-free stacks, and nothing
 * else: the cost per task is its node, two compare-and-sets when it is cancelled, and no
 * lock. What it holds is published as {@link #liveTasks()} once per turn.
 */
final class TimerLoop implements Runnable {
  private final long startNanos = System.nanoTime();
  private final long tickNanos;
  private final TimerWheel wheel;
  private final TaskStack pending = new TaskStack(false);
  private final TaskStack cancellations = new TaskStack(true);
  private final ThreadFactory threadFactory;
  private final LoggingAdapter log;
  /** Set by the first close: completed by the timer thread with the tasks it still held. */
  private final AtomicReference<CompletableFuture<List<WheelTask>>> stop = new AtomicReference<>();
  private volatile Thread thread;
  private volatile int liveTasks;
  /** The next tick to fire, counted from {@code startNanos}; handed to a replacement thread by its start. */
  private long nextTick;

  TimerLoop(long tickNanos, int ticksPerWheel, ThreadFactory threadFactory, LoggingAdapter log) {
    this.tickNanos = tickNanos;
    this.wheel = new TimerWheel(ticksPerWheel);
    this.threadFactory = threadFactory;
    this.log = log;
  }

  void start() {
    Thread timer = threadFactory.newThread(this);
    thread = timer;
    timer.start();
  }

  /** The stack cancelled tasks are pushed onto. */
  TaskStack cancellations() {
    return cancellations;
  }

  /** Hands {@code task} to the timer thread; false once the scheduler stopped. */
  boolean enqueue(WheelTask task) {
    return pending.push(task);
  }

  boolean isStopping() {
    return stop.get() != null;
  }

  boolean onTimerThread() {
    return Thread.currentThread() == thread;
  }

  /** Tasks in the wheel (cancelled ones not yet unlinked included), as of the last turn. */
  int liveTasks() {
    return liveTasks;
  }

  /**
   * Asks the timer thread to stop (it is woken, not interrupted: it may be running a task);
   * the future completes with the tasks it still held. Null if a stop was asked before.
   */
  CompletableFuture<List<WheelTask>> requestStop() {
    CompletableFuture<List<WheelTask>> stopped = new CompletableFuture<>();
    if (!stop.compareAndSet(null, stopped)) return null;
    LockSupport.unpark(thread);
    return stopped;
  }

  @Override
  public void run() {
    try {
      loop();
    } catch (Throwable t) {
      log.error(t, "exception on KqScheduler's timer thread");
      if (stop.get() == null) startReplacement();
      else finish();
      if (t instanceof Error e) throw e;
      if (t instanceof RuntimeException e) throw e;
      throw new IllegalStateException(t);
    }
  }

  private void loop() {
    while (true) {
      transferPending();
      removeCancelled();
      int size = wheel.size();
      if (size != liveTasks) liveTasks = size;
      if (stop.get() != null) {
        finish();
        return;
      }
      long waitNanos = startNanos + nextTick * tickNanos - System.nanoTime();
      if (waitNanos > 0) {
        Thread.interrupted(); // nothing interrupts this thread on purpose; a stray interrupt must not make it spin
        LockSupport.parkNanos(this, waitNanos);
      } else {
        wheel.expire(nextTick);
        nextTick++;
      }
    }
  }

  private void transferPending() {
    WheelTask task = pending.drain();
    if (task == null) return;
    // read after the drain: every task taken was scheduled before this instant
    long now = System.nanoTime();
    long currentTick = (now - startNanos + tickNanos - 1) / tickNanos;
    while (task != null) {
      WheelTask next = pending.unlinkNext(task);
      if (task.ticks == 0) task.fire();
      else if (!task.isDone()) wheel.add(task, Math.max(currentTick + task.ticks, nextTick));
      task = next;
    }
  }

  private void removeCancelled() {
    for (WheelTask task = cancellations.drain(); task != null; ) {
      WheelTask next = cancellations.unlinkNext(task);
      wheel.remove(task);
      task = next;
    }
  }

  /** Closes both stacks, empties the wheel and hands what it held to the closing thread. */
  private void finish() {
    List<WheelTask> remaining = new ArrayList<>();
    wheel.drainTo(remaining);
    for (WheelTask task = pending.close(); task != null; ) {
      WheelTask next = pending.unlinkNext(task);
      remaining.add(task);
      task = next;
    }
    for (WheelTask task = cancellations.close(); task != null; ) task = cancellations.unlinkNext(task);
    liveTasks = 0;
    stop.get().complete(remaining);
  }

  /** After an unexpected throwable (Pekko's scheduler does the same): a new timer thread, or a stop if none starts. */
  private void startReplacement() {
    try {
      Thread replacement = threadFactory.newThread(this);
      log.info("starting a new KqScheduler timer thread");
      thread = replacement;
      replacement.start();
    } catch (Throwable e) {
      log.error(e, "KqScheduler cannot start a new timer thread: it stops, and no task will run");
      stop.compareAndSet(null, new CompletableFuture<>());
      finish();
    }
  }
}
