package io.pekkokq.event;

import io.pekkokq.sys.NativeUnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The fallback without the native library: timers on Pekko's scheduler (its own
 * Cancellable contract holds), user events as tasks on the actor system's dispatcher with
 * the same coalescing as the poller's, and no signals (the JVM offers no way to take one
 * over without the native handler), which fail with the reason the library is missing.
 */
final class SchedulerEventSource implements EventSource {
  private final ActorSystem system;
  private final ExecutionContextExecutor executor;
  private final Throwable whyNotNative;

  SchedulerEventSource(ActorSystem system, Throwable whyNotNative) {
    this.system = system;
    this.executor = system.dispatcher();
    this.whyNotNative = whyNotNative;
  }

  @Override
  public Cancellable scheduleOnce(Duration delay, Runnable action) {
    return system.scheduler().scheduleOnce(delay, action, executor);
  }

  @Override
  public Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration delay, Runnable action) {
    return system.scheduler().scheduleWithFixedDelay(initialDelay, delay, action, executor);
  }

  @Override
  public UserTrigger userEvent(Runnable action) {
    CoalescingTask task = new CoalescingTask(action);
    return new UserTrigger(task::trigger, task::close);
  }

  @Override
  public void watchSignals(IntConsumer handler) {
    throw new NativeUnavailableException(
        "UNIX signals need pekko-kq's native library, and this actor system runs without it "
            + "(pekko.io.kq.fallback = nio): " + whyNotNative.getMessage(), whyNotNative);
  }

  /** Runs its action on the dispatcher once per burst of triggers, like an EV_CLEAR user event. */
  private final class CoalescingTask implements Runnable {
    private final Runnable action;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean closed;

    CoalescingTask(Runnable action) {
      this.action = action;
    }

    void trigger() {
      if (!closed && pending.compareAndSet(false, true)) executor.execute(this);
    }

    void close() {
      closed = true;
    }

    @Override
    public void run() {
      pending.set(false); // a trigger from now on asks for another run
      if (!closed) action.run();
    }
  }
}
