package io.pekkokq.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A poller stuck in one turn for longer than {@code pekko.io.kq.blocked-poller-warning}, as
 * the watchdog that logs the warning saw it: which poller, for how long so far, and where
 * its thread was (the poller thread's stack, as text, since the event's own stack would be
 * the watchdog's). Enabled by default.
 */
@Name("io.pekkokq.PollerBlocked")
@Label("Poller Blocked")
@Category({"pekko-kq", "Poller"})
@Description("A poller has been busy with one turn for longer than pekko.io.kq.blocked-poller-warning")
@StackTrace(false)
public final class PollerBlocked extends Event {
  @Label("Poller")
  public String poller;

  @Label("Blocked For")
  @Description("How long the turn had lasted when the watchdog looked (at least)")
  @Timespan(Timespan.NANOSECONDS)
  public long blockedFor;

  @Label("Poller Stack")
  @Description("Where the poller thread was")
  public String pollerStack;

  /** Commits one event, when recording is on for it. */
  public static void commit(String poller, long blockedForNanos, String pollerStack) {
    PollerBlocked e = new PollerBlocked();
    if (!e.isEnabled()) return;
    e.poller = poller;
    e.blockedFor = blockedForNanos;
    e.pollerStack = pollerStack;
    e.commit();
  }
}
