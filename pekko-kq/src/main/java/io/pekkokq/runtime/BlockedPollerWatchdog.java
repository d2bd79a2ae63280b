package io.pekkokq.runtime;

import io.pekkokq.metrics.jfr.JfrSupport;
import io.pekkokq.metrics.jfr.PollerBlocked;
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
 * (the number of its current turn), so it costs the pollers two plain stores a turn and
 * no clock reads: the clock is read here, when a turn number is first seen, and a turn
 * still running {@code threshold} after that is reported. A stall is therefore reported
 * between the threshold and the threshold plus one check interval after it began, in the
 * log and, when a Flight Recorder recording is running, as an {@code io.pekkokq.PollerBlocked}
 * event.
 */
public final class BlockedPollerWatchdog {
  private final PollerGroup pollers;
  private final long thresholdNanos;
  private final LoggingAdapter log;
  /** Per poller: the busy turn last seen, and when it was first seen (System.nanoTime). */
  private final long[] seenTurn;
  private final long[] seenSince;
  /** Per poller: the turn last reported, so that one stall is reported once. */
  private final long[] reportedTurn;
  private final Cancellable schedule;

  private BlockedPollerWatchdog(ActorSystem system, PollerGroup pollers, Duration threshold, LoggingAdapter log) {
    this.pollers = pollers;
    this.thresholdNanos = threshold.toNanos();
    this.log = log;
    this.seenTurn = new long[pollers.size()];
    this.seenSince = new long[pollers.size()];
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
      long turn = poller.currentTurn();
      if (turn == 0 || !poller.isRunning()) continue;
      if (turn != seenTurn[i]) {
        seenTurn[i] = turn;
        seenSince[i] = now;
        continue;
      }
      long stuck = now - seenSince[i];
      if (turn == reportedTurn[i] || stuck < thresholdNanos) continue;
      reportedTurn[i] = turn;
      String where = format(poller.threadStackTrace());
      if (JfrSupport.ready()) PollerBlocked.commit(poller.name(), stuck, where);
      log.warning(
          "pekko-kq poller {} has been busy with one turn for at least {} ms: something running on it "
              + "(an actor on pekko.io.kq.poller-{}, a stage with onPollerThread(), a listener) "
              + "blocks, and every socket of this poller waits. Its thread is at:{}",
          poller.name(), TimeUnit.NANOSECONDS.toMillis(stuck), i, where);
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
