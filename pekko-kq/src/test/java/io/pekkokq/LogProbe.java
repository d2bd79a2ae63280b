package io.pekkokq;

import java.time.Duration;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.testkit.javadsl.TestKit;

/** Test helper: hears an actor system's log events of one level and finds the one that says something. */
public final class LogProbe {
  private final TestKit probe;
  private final Class<? extends Logging.LogEvent> level;

  private LogProbe(ActorSystem system, Class<? extends Logging.LogEvent> level) {
    this.probe = new TestKit(system);
    this.level = level;
    system.getEventStream().subscribe(probe.getRef(), level);
  }

  /** Hears warnings from now on. */
  public static LogProbe warnings(ActorSystem system) {
    return new LogProbe(system, Logging.Warning.class);
  }

  /** Hears errors from now on. */
  public static LogProbe errors(ActorSystem system) {
    return new LogProbe(system, Logging.Error.class);
  }

  /**
   * The next event (within {@code within}) whose message, or cause for an error, contains
   * every one of {@code parts}; others are skipped. Fails the test when none comes.
   */
  public String await(Duration within, String... parts) {
    long deadline = System.nanoTime() + within.toNanos();
    for (; ; ) {
      Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      Logging.LogEvent event = probe.expectMsgClass(left, level);
      String text = event.message() + (event instanceof Logging.Error ? " " + ((Logging.Error) event).cause() : "");
      boolean all = true;
      for (String part : parts) all &= text.contains(part);
      if (all) return text;
    }
  }
}
