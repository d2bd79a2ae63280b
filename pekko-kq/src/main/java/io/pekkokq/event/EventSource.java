package io.pekkokq.event;

import java.io.IOException;
import java.time.Duration;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.Cancellable;

/**
 * What {@link KqEvents} needs from below: timers, user events and the signal watch. Two
 * implementations: the native poller ({@link PollerEventSource}) and, when the native
 * library is unavailable or switched off, Pekko's scheduler and dispatcher ({@link
 * SchedulerEventSource}). The actor-facing behaviour (arguments, messages, signal
 * bookkeeping) lives once, in KqEvents.
 */
interface EventSource {
  /** Runs {@code action} once after {@code delay} (not negative). */
  Cancellable scheduleOnce(Duration delay, Runnable action);

  /** Runs {@code action} after {@code initialDelay}, then {@code delay} after each run. */
  Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration delay, Runnable action);

  /** A trigger any thread may pull; pulls before the action runs coalesce into one run. */
  UserTrigger userEvent(Runnable action);

  /**
   * Starts watching the process's subscribed signals, each delivered to {@code handler}.
   *
   * @throws io.pekkokq.sys.NativeUnavailableException when signals cannot be watched here
   */
  void watchSignals(IntConsumer handler) throws IOException;
}
