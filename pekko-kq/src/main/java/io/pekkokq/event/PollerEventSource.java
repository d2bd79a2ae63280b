package io.pekkokq.event;

import io.pekkokq.poll.Poller;
import io.pekkokq.poll.ScheduledTimer;
import io.pekkokq.poll.UserEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.Cancellable;

/** Timers, user events and signals on a native poller: its one kernel timer, eventfd, signal pipe. */
final class PollerEventSource implements EventSource {
  private final Poller poller;

  PollerEventSource(Poller poller) {
    this.poller = poller;
  }

  @Override
  public Cancellable scheduleOnce(Duration delay, Runnable action) {
    return cancellable(poller.schedule(delay.toNanos(), TimeUnit.NANOSECONDS, action));
  }

  @Override
  public Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration delay, Runnable action) {
    return cancellable(
        poller.scheduleWithFixedDelay(
            initialDelay.toNanos(), delay.toNanos(), TimeUnit.NANOSECONDS, action));
  }

  @Override
  public UserTrigger userEvent(Runnable action) {
    UserEvent event = poller.newUserEvent(action);
    return new UserTrigger(event::trigger, event::close);
  }

  @Override
  public void watchSignals(IntConsumer handler) throws IOException {
    poller.watchSignals(handler);
  }

  private static Cancellable cancellable(ScheduledTimer timer) {
    return new Cancellable() {
      @Override
      public boolean cancel() {
        return timer.cancel();
      }

      @Override
      public boolean isCancelled() {
        return timer.isCancelled();
      }
    };
  }
}
