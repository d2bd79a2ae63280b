package io.pekkokq.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A poller turn that took longer than {@code pekko.io.kq.metrics.slow-turn-threshold}:
 * committed by the poller thread at the end of the turn, so the event itself is instant
 * and {@link #turnDuration} says how long the turn was. Enabled by default; it needs
 * {@code pekko.io.kq.metrics.enabled = on} (the turn is timed only then).
 */
@Name("io.pekkokq.SlowPollerTurn")
@Label("Slow Poller Turn")
@Category({"pekko-kq", "Poller"})
@Description("A poller turn (events, tasks, actors, timers) that took longer than pekko.io.kq.metrics.slow-turn-threshold")
@StackTrace(false)
public final class SlowPollerTurn extends Event {
  @Label("Poller")
  public String poller;

  @Label("Turn Duration")
  @Timespan(Timespan.NANOSECONDS)
  public long turnDuration;

  @Label("Events")
  @Description("Events the turn's kernel wait returned")
  public int events;

  @Label("Tasks Run")
  public long tasksRun;

  /** Poller thread: commits one event, when recording is on for it. */
  public static void commit(String poller, long nanos, int events, long tasksRun) {
    SlowPollerTurn e = new SlowPollerTurn();
    if (!e.isEnabled()) return;
    e.poller = poller;
    e.turnDuration = nanos;
    e.events = events;
    e.tasksRun = tasksRun;
    e.commit();
  }
}
