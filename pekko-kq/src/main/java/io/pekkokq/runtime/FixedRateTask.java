package io.pekkokq.runtime;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.SchedulerException;
import scala.concurrent.ExecutionContext;

/**
 * INTERNAL API. A task repeated at a fixed rate by a {@link KqScheduler}, with the semantics
 * of Pekko's scheduler ({@code scheduleAtFixedRate}): the first run after the initial delay
 * rounded up to the tick, each next one an interval after the previous one was due, less the
 * drift measured when it ran (at least 1 ns, so a late run is followed at once by the next).
 * Each run is a new one-shot {@link WheelTask}; this object is the {@link Cancellable} the
 * caller holds, a reference to the current one (null once cancelled), handed over as Pekko's
 * own repeating handle does. A run that throws ends the repetition (the execution context
 * sees the exception); a {@link SchedulerException} (a closed scheduler, a terminated
 * receiver) ends it silently.
 */
final class FixedRateTask extends AtomicReference<Cancellable> implements Cancellable, Runnable {
  /** The reference until the first run was scheduled: cancels nothing. */
  private static final Cancellable INITIAL = KqScheduler.NOT_CANCELLABLE;

  final Runnable runnable;
  private final KqScheduler scheduler;
  private final ExecutionContext executor;
  private final long intervalNanos;
  /** When the next run is due (System.nanoTime); only the run in progress touches it. */
  private long nextRunNanos;

  FixedRateTask(KqScheduler scheduler, ExecutionContext executor, Runnable runnable, long initialDelayNanos,
      long intervalNanos) {
    super(INITIAL);
    this.runnable = runnable;
    this.scheduler = scheduler;
    this.executor = executor;
    this.intervalNanos = intervalNanos;
    this.nextRunNanos = System.nanoTime() + initialDelayNanos;
    Cancellable first;
    try {
      first = scheduler.schedule(executor, this, scheduler.roundUp(initialDelayNanos));
    } catch (SchedulerException e) {
      throw new IllegalStateException(e.msg(), e);
    }
    compareAndSet(INITIAL, first); // a first run that already rescheduled itself has replaced INITIAL
  }

  @Override
  public void run() {
    try {
      runnable.run();
      long driftNanos = System.nanoTime() - nextRunNanos;
      nextRunNanos += intervalNanos;
      if (get() != null) swap(scheduler.schedule(executor, this, Math.max(intervalNanos - driftNanos, 1)));
    } catch (SchedulerException ignored) {
      // the scheduler is closed or the receiver terminated: the repetition ends
    }
  }

  /** Makes {@code next} the current run, or cancels it if the repetition was cancelled meanwhile. */
  private void swap(Cancellable next) {
    while (true) {
      Cancellable current = get();
      if (current == null) {
        if (next != null) next.cancel();
        return;
      }
      if (compareAndSet(current, next)) return;
    }
  }

  @Override
  public boolean cancel() {
    while (true) {
      Cancellable current = get();
      if (current == null) return false;
      if (current.cancel()) return compareAndSet(current, null);
      if (compareAndSet(current, null)) return true;
    }
  }

  @Override
  public boolean isCancelled() {
    return get() == null;
  }
}
