package io.pekkokq.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;

/**
 * INTERNAL API. One task of a {@link KqScheduler}: the {@link Cancellable} its caller holds,
 * and the node the scheduler links it by, so scheduling allocates nothing else.
 *
 * <p>Its state is its {@code task} field, as in Pekko's LightArrayRevolverScheduler: the
 * Runnable while pending, then one of two markers, swapped in by compare-and-set, so exactly
 * one of "run" and "cancel" wins: {@link #cancel()} is true only for the call that took a
 * pending task, and a task runs at most once.
 *
 * <p>The links: {@link #next} chains it in the pending stack ({@link TaskStack}, written by
 * the scheduling thread before it publishes the task) and, once the timer thread took it
 * from there, in its wheel bucket with {@link #prev}; {@link #nextCancelled} chains it in the
 * stack of cancellations, which another thread may push it onto while it sits in a bucket.
 * Everything but {@code task} and the two stack links before publication is the timer
 * thread's alone.
 */
final class WheelTask implements Cancellable {
  private static final VarHandle TASK;

  static {
    try {
      TASK = MethodHandles.lookup().findVarHandle(WheelTask.class, "task", Runnable.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** What {@code task} becomes when the task was handed to its execution context (or closed). */
  private static final Runnable EXECUTED = () -> {};
  /** What {@code task} becomes when the task was cancelled. */
  private static final Runnable CANCELLED = () -> {};

  @SuppressWarnings("unused") // through TASK
  private volatile Runnable task;
  private final ExecutionContext executor;
  /** Where a cancelled task goes, so the timer thread unlinks it within a tick. */
  private final TaskStack cancellations;
  /** The delay in ticks, from the scheduling thread; 0: run as soon as the timer thread takes it. */
  final int ticks;

  /** The tick (counted from the scheduler's start) at which it is due; the timer thread's. */
  long deadline;
  WheelTask prev;
  WheelTask next;
  boolean inWheel;
  WheelTask nextCancelled;

  WheelTask(Runnable task, int ticks, ExecutionContext executor, TaskStack cancellations) {
    this.task = task;
    this.ticks = ticks;
    this.executor = executor;
    this.cancellations = cancellations;
  }

  /** Takes the pending Runnable, leaving {@code marker}; null when it already ran or was cancelled. */
  private Runnable take(Runnable marker) {
    while (true) {
      Runnable current = task;
      if (current == EXECUTED || current == CANCELLED) return null;
      if (TASK.compareAndSet(this, current, marker)) return current;
    }
  }

  /**
   * Hands the task to its execution context, unless it was cancelled. A failure of {@code
   * execute} (a rejecting or calling-thread context) is reported to the context, as Pekko's
   * scheduler does, and never reaches the timer thread.
   */
  void fire() {
    Runnable runnable = take(EXECUTED);
    if (runnable == null) return;
    try {
      executor.execute(runnable);
    } catch (Throwable t) {
      reportTo(executor, t);
    }
  }

  @Override
  public boolean cancel() {
    Runnable runnable = take(CANCELLED);
    if (runnable == null) return false;
    cancellations.push(this); // refused once the scheduler is closed: nothing holds it then
    CancellationNotice.send(runnable, executor);
    return true;
  }

  @Override
  public boolean isCancelled() {
    return task == CANCELLED;
  }

  boolean isDone() {
    Runnable current = task;
    return current == EXECUTED || current == CANCELLED;
  }

  /**
   * At close, on the closing thread: runs the task if it is a pending {@link
   * Scheduler.TaskRunOnClose} (Pekko's dispatchers shut down through one), as Pekko's
   * scheduler does; other tasks are dropped and stay cancellable.
   */
  void runOnClose(LoggingAdapter log) {
    Runnable current = task;
    if (!(current instanceof Scheduler.TaskRunOnClose) || !TASK.compareAndSet(this, current, EXECUTED)) return;
    try {
      current.run();
    } catch (SchedulerException ignored) {
      // a terminated actor, as Pekko ignores it
    } catch (Throwable t) {
      rethrowIfFatal(t);
      log.error(t, "exception while executing timer task");
    }
  }

  /** Reports {@code t} to {@code executor} as Scala's NonFatal handling would, rethrowing what is fatal. */
  static void reportTo(ExecutionContext executor, Throwable t) {
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return;
    }
    rethrowIfFatal(t);
    executor.reportFailure(t);
  }

  private static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError || t instanceof LinkageError) throw (Error) t;
  }
}
