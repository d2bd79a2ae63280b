package io.pekkokq.io.internal;

import io.pekkokq.poll.Poller;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.event.LoggingAdapter;

/**
 * INTERNAL API. Warns when a poller has been stuck in one turn for longer than {@code
 * pekko.io.kq.blocked-poller-warning}: with actors and stages running on the pollers'
 * dispatchers, one blocking call there (a sleep, a lock, blocking I/O) holds up every
 * socket of that poller, and the symptom, connections that stop answering, says nothing
 * about the cause. The warning names the poller and shows where its thread is.
 *
 * <p>It runs on Pekko's scheduler, not on the pollers, and reads one field per poller
 * (when the current turn began), so it costs the pollers two plain stores a turn.
 */
public final class BlockedPollerWatchdog {
  private final PollerGroup pollers;
  private final long thresholdNanos;
  private final LoggingAdapter log;
  /** Per poller: the turn last reported, so that one stall is reported once. */
  private final long[] reportedTurn;
  private final Cancellable schedule;

  private BlockedPollerWatchdog(ActorSystem system, PollerGroup pollers, Duration threshold, LoggingAdapter log) {
    this.pollers = pollers;
    this.thresholdNanos = threshold.toNanos();
    this.log = log;
    this.reportedTurn = new long[pollers.size()];
    Duration every = threshold.dividedBy(2);
    if (every.compareTo(Duration.ofMillis(50)) < 0) every = Duration.ofMillis(50);
    this.schedule =
        system.scheduler().scheduleWithFixedDelay(every, every, this::check, system.dispatcher());
  }

  /** Starts watching {@code pollers}; null when {@code threshold} is null (switched off). */
  public static BlockedPollerWatchdog start(
      ActorSystem system, PollerGroup pollers, Duration threshold, LoggingAdapter log) {
    return threshold == null ? null : new BlockedPollerWatchdog(system, pollers, threshold, log);
  }

  private void check() {
    long now = System.nanoTime();
    for (int i = 0; i < pollers.size(); i++) {
      Poller poller = pollers.get(i);
      long started = poller.turnStartedNanos();
      if (started == 0 || started == reportedTurn[i] || !poller.isRunning()) continue;
      long stuck = now - started;
      if (stuck < thresholdNanos) continue;
      reportedTurn[i] = started;
      log.warning(
          "pekko-kq poller {} has been busy with one turn for {} ms: something running on it "
              + "(an actor on pekko.io.kq.poller-{}, a stage with onPollerThread(), a listener) "
              + "blocks, and every socket of this poller waits. Its thread is at:{}",
          poller.name(), TimeUnit.NANOSECONDS.toMillis(stuck), i, format(poller.threadStackTrace()));
    }
  }

  private static String format(StackTraceElement[] stack) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(stack.length, 20); i++) out.append("\n\tat ").append(stack[i]);
    if (stack.length > 20) out.append("\n\t... ").append(stack.length - 20).append(" more");
    return out.toString();
  }

  public void stop() {
    schedule.cancel();
  }
}
