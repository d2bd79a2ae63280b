package io.pekkokq.metrics.jfr;

import java.util.concurrent.Executor;

/**
 * INTERNAL API. Whether pekko-kq's Flight Recorder events may be used now.
 *
 * <p>Two reasons they may not: a runtime image made with jlink may leave the {@code
 * jdk.jfr} module out (loading an event class would then throw NoClassDefFoundError), and
 * the first use of an event class loads and sets up a good part of JFR, which took over a
 * second on a loaded machine: on a poller thread, that would stall every socket of the
 * poller. So the classes are loaded once, off the pollers ({@link #prepare}, on the
 * blocking pool when the runtime starts), and until that is done {@link #ready()} is false
 * and no event is recorded.
 */
public final class JfrSupport {
  /** Whether the {@code jdk.jfr} module is in this runtime. */
  public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

  private static volatile boolean ready;

  private JfrSupport() {}

  /** True once the event classes are loaded: events may be recorded from any thread. */
  public static boolean ready() {
    return ready;
  }

  /** Loads the event classes on {@code executor}, once per JVM; {@link #ready()} after that. */
  public static void prepare(Executor executor) {
    if (!AVAILABLE || ready) return;
    executor.execute(JfrSupport::loadNow);
  }

  /** Loads the event classes on this thread (tests, or a caller that may block). */
  public static synchronized void loadNow() {
    if (!AVAILABLE || ready) return;
    new SlowPollerTurn().isEnabled();
    new PollerBlocked().isEnabled();
    new ConnectionOpened().isEnabled();
    new ConnectionClosed().isEnabled();
    ready = true;
  }
}
