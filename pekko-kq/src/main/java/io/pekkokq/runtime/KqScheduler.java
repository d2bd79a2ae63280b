package io.pekkokq.runtime;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * A Pekko {@link Scheduler} that forgets a cancelled task within about one tick, for an
 * actor system that schedules and cancels many timers (Pekko HTTP's request timeout: one
 * per request). Opt in for the whole actor system:
 *
 * <pre>
 * pekko.scheduler.implementation = "io.pekkokq.runtime.KqScheduler"
 * </pre>
 *
 * <p>Pekko's own scheduler, {@code LightArrayRevolverScheduler}, keeps a cancelled task in
 * its wheel until the wheel comes round to the task's slot ({@code ticks-per-wheel} ticks:
 * 5.1 s by default), so at a high rate of cancelled timers it holds hundreds of thousands of
 * them, which every young collection copies. This one is the same kind of hashed wheel,
 * with doubly-linked buckets: scheduling and cancelling, from any thread, push the task onto
 * one of two lock-free stacks that the timer thread empties every tick, and a cancelled task
 * is unlinked from its bucket there (as Netty's HashedWheelTimer does). What it holds of
 * cancelled tasks is then their rate times one tick.
 *
 * <p>Everything else is Pekko's scheduler's contract, since every timer of the actor system
 * runs on it (ask timeouts, receive timeouts, actor and stream timers, cluster): it reads
 * {@code pekko.scheduler.tick-duration}, {@code ticks-per-wheel} and {@code
 * shutdown-timeout} with the same checks and messages; delays are rounded up to the tick and
 * a task never runs before its delay; a delay of zero or less runs the task at once; too
 * long a delay is refused with the same {@code IllegalArgumentException}; tasks run on the
 * execution context they were given, and a failure to hand one over is reported to that
 * context without harming the timer thread; {@code scheduleAtFixedRate} repeats as Pekko's
 * does; {@link Cancellable#cancel()} is true only for the call that cancelled a pending
 * task; after {@link #close()} scheduling throws an {@code IllegalStateException} caused by
 * Pekko's {@code SchedulerException}; {@code close()} runs the pending {@link
 * Scheduler.TaskRunOnClose} tasks and stops the timer thread (made by the given thread
 * factory). Two deliberate differences: {@code close()} called from a task running on the
 * timer thread returns at once (the timer thread runs those tasks when the task returns),
 * where Pekko's waits {@code shutdown-timeout} and throws; and when the timer thread does
 * not stop within {@code shutdown-timeout} (a task blocking it) {@code close()} logs a
 * warning and returns, where Pekko's throws a {@code TimeoutException}. docs/pekko-http.md,
 * "Tuning the tail", says when it helps.
 *
 * <p>Pekko creates it reflectively with the constructor {@code (Config, LoggingAdapter,
 * ThreadFactory)} when {@code pekko.scheduler.implementation} names it.
 */
public final class KqScheduler implements Scheduler, Closeable {
  /** What a task that ran at once, and a repetition not yet scheduled, are: nothing to cancel. */
  static final Cancellable NOT_CANCELLABLE = new Cancellable() {
    @Override
    public boolean cancel() {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }
  };

  private final LoggingAdapter log;
  private final long tickNanos;
  private final long shutdownTimeoutNanos;
  private final TimerLoop timer;
  private final TaskStack cancellations;

  /** The constructor Pekko calls for {@code pekko.scheduler.implementation}; starts the timer thread. */
  public KqScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.log = log;
    int ticksPerWheel = config.getInt("pekko.scheduler.ticks-per-wheel");
    if (ticksPerWheel <= 0 || (ticksPerWheel & (ticksPerWheel - 1)) != 0)
      throw new IllegalArgumentException("requirement failed: ticks-per-wheel must be a power of 2");
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis(config, log));
    this.shutdownTimeoutNanos =
        TimeUnit.MILLISECONDS.toNanos(config.getDuration("pekko.scheduler.shutdown-timeout", TimeUnit.MILLISECONDS));
    this.timer = new TimerLoop(tickNanos, ticksPerWheel, threadFactory, log);
    this.cancellations = timer.cancellations();
    timer.start();
  }

  /** {@code tick-duration} in whole milliseconds, checked (and adjusted when asked) as Pekko checks it. */
  private static long tickMillis(Config config, LoggingAdapter log) {
    long millis = config.getDuration("pekko.scheduler.tick-duration", TimeUnit.MILLISECONDS);
    boolean failOnError = config.getBoolean("pekko.scheduler.error-on-tick-duration-verification-failed");
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    long minimum = windows ? 10 : 1;
    if (millis >= minimum) return millis;
    String requirement = "requirement failed: minimum supported pekko.scheduler.tick-duration"
        + (windows ? " on Windows" : "") + " is " + minimum + "ms";
    if (failOnError) throw new IllegalArgumentException(requirement);
    log.warning(requirement + ", adjusted to " + minimum + "ms now.");
    return minimum;
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
    try {
      return schedule(executor, runnable, roundUp(delay.toNanos()));
    } catch (SchedulerException e) {
      throw new IllegalStateException(e.msg(), e);
    }
  }

  /** Fixed rate: {@code scheduleAtFixedRate} ends here, as in Pekko. */
  @Override
  @SuppressWarnings("deprecation")
  public Cancellable schedule(FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable,
      ExecutionContext executor) {
    checkPeriod(interval);
    checkMaxDelay(roundUp(interval.toNanos()));
    Objects.requireNonNull(runnable, "runnable");
    Objects.requireNonNull(executor, "executor");
    return new FixedRateTask(this, executor, runnable, initialDelay.toNanos(), interval.toNanos());
  }

  /** Pekko's fixed-delay repetition over {@link #scheduleOnce}, with Pekko's checks of the delay first. */
  @Override
  public Cancellable scheduleWithFixedDelay(FiniteDuration initialDelay, FiniteDuration delay, Runnable runnable,
      ExecutionContext executor) {
    checkPeriod(delay);
    checkMaxDelay(roundUp(delay.toNanos()));
    return Scheduler.super.scheduleWithFixedDelay(initialDelay, delay, runnable, executor);
  }

  @Override
  public double maxFrequency() {
    return (double) TimeUnit.SECONDS.toNanos(1) / tickNanos;
  }

  /** {@code tick-duration} as this scheduler uses it (after Pekko's checks). */
  public FiniteDuration tickDuration() {
    return FiniteDuration.fromNanos(tickNanos);
  }

  /**
   * Stops the timer thread, then runs the pending {@link Scheduler.TaskRunOnClose} tasks on
   * the calling thread; the other pending tasks never run. Scheduling fails from now on.
   * Waits at most {@code shutdown-timeout} for the timer thread; a second call returns at
   * once.
   */
  @Override
  public void close() {
    CompletableFuture<List<WheelTask>> stopped = timer.requestStop();
    if (stopped == null) return;
    if (timer.onTimerThread()) {
      // a task closes its own scheduler: the timer thread finishes once the task returns
      stopped.thenAccept(this::runOnClose);
      return;
    }
    try {
      runOnClose(stopped.get(shutdownTimeoutNanos, TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      log.warning("KqScheduler's timer thread did not stop within pekko.scheduler.shutdown-timeout ({} ms): "
          + "its pending TaskRunOnClose tasks are not run", TimeUnit.NANOSECONDS.toMillis(shutdownTimeoutNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // never completed exceptionally
    }
  }

  private void runOnClose(List<WheelTask> tasks) {
    for (WheelTask task : tasks) task.runOnClose(log);
  }

  /** Tasks the timer wheel holds, cancelled ones not yet unlinked included, as of the last tick (tests). */
  int liveTasks() {
    return timer.liveTasks();
  }

  /**
   * Schedules {@code runnable} after {@code delayNanos}, which is not rounded (the
   * repetitions of {@link FixedRateTask} count whole ticks down, as Pekko's do: a delay
   * under a tick runs at the next turn of the timer thread).
   *
   * @throws SchedulerException once closed
   */
  Cancellable schedule(ExecutionContext executor, Runnable runnable, long delayNanos) {
    Objects.requireNonNull(runnable, "runnable");
    Objects.requireNonNull(executor, "executor");
    if (delayNanos <= 0) {
      if (timer.isStopping()) throw shutDown();
      executor.execute(runnable);
      return NOT_CANCELLABLE;
    }
    if (timer.isStopping()) throw shutDown();
    checkMaxDelay(delayNanos);
    WheelTask task = new WheelTask(runnable, (int) (delayNanos / tickNanos), executor, cancellations);
    if (!timer.enqueue(task)) throw shutDown();
    return task;
  }

  private static SchedulerException shutDown() {
    return new SchedulerException("cannot enqueue after timer shutdown");
  }

  /** {@code nanos} rounded up to whole ticks (unchanged if zero or less, or if rounding overflows). */
  long roundUp(long nanos) {
    long rounded = ((nanos - 1) / tickNanos + 1) * tickNanos;
    return rounded != nanos && rounded > 0 && nanos > 0 ? rounded : nanos;
  }

  private static void checkPeriod(FiniteDuration delay) {
    if (delay.length() <= 0)
      throw new IllegalArgumentException("Task scheduled with [" + delay.toSeconds()
          + "] seconds delay, which means creating an infinite loop. The expected delay must be greater than 0.");
  }

  private void checkMaxDelay(long delayNanos) {
    if (delayNanos / tickNanos > Integer.MAX_VALUE)
      // 1 second margin in the message, as Pekko's, for the rounding
      throw new IllegalArgumentException("Task scheduled with [" + TimeUnit.NANOSECONDS.toSeconds(delayNanos)
          + "] seconds delay, which is too far in future, maximum delay is ["
          + (TimeUnit.NANOSECONDS.toSeconds(tickNanos * Integer.MAX_VALUE) - 1) + "] seconds");
  }
}
