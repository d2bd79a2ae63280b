package io.pekkokq.runtime;

import io.pekkokq.poll.Poller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.event.LoggingAdapter;

/**
 * INTERNAL API. The pollers of one extension; new sockets are spread over them
 * round-robin, except the connections a sharded listener accepts, which stay on the poller
 * of the listener shard that accepted them (socket.ListenerGroup). The first poller also
 * carries the extension's signals.
 */
public final class PollerGroup implements AutoCloseable {
  private final Poller[] pollers;
  private final AtomicInteger next = new AtomicInteger();

  private PollerGroup(Poller[] pollers) {
    this.pollers = pollers;
  }

  public static PollerGroup start(KqSettings settings, LoggingAdapter log) {
    Poller[] pollers = new Poller[settings.pollers];
    try {
      for (int i = 0; i < pollers.length; i++) {
        pollers[i] =
            Poller.start(
                "pekko-kq-poller-" + i,
                settings.eventBatchSize,
                settings.maxRegistrationsPerPoller,
                (what, cause) -> log.error(cause, "pekko-kq poller: {}", what),
                settings.metricsEnabled,
                settings.slowTurnThreshold == null ? 0 : settings.slowTurnThreshold.toNanos());
      }
    } catch (IOException e) {
      for (Poller p : pollers) if (p != null) p.close();
      throw new UncheckedIOException("cannot start pekko-kq pollers", e);
    }
    return new PollerGroup(pollers);
  }

  /** The poller for the next new socket. */
  public Poller next() {
    return pollers[nextIndex()];
  }

  /** The index of the poller for the next new socket. */
  public int nextIndex() {
    return Math.floorMod(next.getAndIncrement(), pollers.length);
  }

  public Poller get(int index) {
    return pollers[index];
  }

  /**
   * The poller whose thread is the caller's, else the next one: a stage running on a
   * poller's dispatcher registers its socket with that same poller, so its readiness
   * events reach it without a thread hand-off.
   */
  public Poller currentOrNext() {
    return currentOr(null);
  }

  /**
   * As {@link #currentOrNext()}, with {@code home} instead of the next one when the caller
   * is on no poller's thread (an accepted connection stays on the poller of the listener
   * shard that accepted it); null: the next one.
   */
  public Poller currentOr(Poller home) {
    for (Poller p : pollers) if (p.inPollerThread()) return p;
    return home != null ? home : next();
  }

  /** The poller that carries signals and extension-level timers. */
  public Poller first() {
    return pollers[0];
  }

  public int size() {
    return pollers.length;
  }

  /** Each poller's counts, in poller order. */
  public java.util.List<io.pekkokq.metrics.PollerMetrics> metrics() {
    java.util.List<io.pekkokq.metrics.PollerMetrics> all = new java.util.ArrayList<>(pollers.length);
    for (Poller p : pollers) all.add(p.metrics());
    return all;
  }

  @Override
  public void close() {
    for (Poller p : pollers) p.close();
  }
}
