package io.pekkokq.metrics;

import java.util.List;

/**
 * A snapshot of one actor system's pekko-kq counters: per poller, per {@link Api}, and
 * their sums. Taken by {@code KqTcp.get(system).metrics()} (actor API) or {@code
 * io.pekkokq.stream.javadsl.KqTcp.get(system).metrics()} (Streams): both return the same
 * counts, since both APIs share the actor system's pollers. Taking one reads each poller's
 * and each socket-owning thread's counters once and allocates a few small objects: cheap
 * enough to take every second. Immutable.
 *
 * <p>Counters are not a transaction: a snapshot taken while sockets are busy may show a
 * read counted in {@link #bytesRead()} whose event is not yet in a poller's {@link
 * PollerMetrics#events()}. Each counter on its own only grows between two snapshots.
 * docs/operations.md explains each one.
 */
public final class KqMetrics {
  private static final ApiMetrics ZERO = ApiMetrics.of(null, new long[SocketCounts.COUNT]);

  private final boolean isNative;
  private final boolean enabled;
  private final List<PollerMetrics> pollers;
  private final ApiMetrics actor;
  private final ApiMetrics streams;
  private final ApiMetrics fdStreams;
  private final ApiMetrics total;

  /** INTERNAL API: made by the runtime. */
  public KqMetrics(
      boolean enabled, List<PollerMetrics> pollers, ApiMetrics actor, ApiMetrics streams, ApiMetrics fdStreams) {
    this.isNative = true;
    this.enabled = enabled;
    this.pollers = List.copyOf(pollers);
    this.actor = actor;
    this.streams = streams;
    this.fdStreams = fdStreams;
    this.total = ApiMetrics.sum(null, actor, streams, fdStreams);
  }

  private KqMetrics() {
    this.isNative = false;
    this.enabled = false;
    this.pollers = List.of();
    this.actor = ApiMetrics.sum(Api.ACTOR);
    this.streams = ApiMetrics.sum(Api.STREAMS);
    this.fdStreams = ApiMetrics.sum(Api.FD_STREAMS);
    this.total = ZERO;
  }

  /** The snapshot of an actor system that runs on Pekko's NIO Tcp: no pollers, all zero. */
  public static KqMetrics notNative() {
    return new KqMetrics();
  }

  /** False when the actor system runs on Pekko's NIO Tcp (then everything here is zero). */
  public boolean isNative() {
    return isNative;
  }

  /**
   * False when {@code pekko.io.kq.metrics.enabled = off}: the socket counts are then zero
   * and no poller turn is timed; the pollers' other counts are kept either way.
   */
  public boolean enabled() {
    return enabled;
  }

  /** Connections accepted by listeners, over all APIs. */
  public long acceptedConnections() {
    return total.accepted();
  }

  /** Connection sockets open now, over all APIs (listeners not included). */
  public long openConnections() {
    return total.openConnections();
  }

  /** Bytes read, over all APIs. */
  public long bytesRead() {
    return total.bytesRead();
  }

  /** Bytes written, over all APIs. */
  public long bytesWritten() {
    return total.bytesWritten();
  }

  /** One entry per poller, in poller order ({@code pekko-kq-poller-0} first). */
  public List<PollerMetrics> pollers() {
    return pollers;
  }

  /** The counts of one API. */
  public ApiMetrics api(Api api) {
    switch (api) {
      case ACTOR:
        return actor;
      case STREAMS:
        return streams;
      case FD_STREAMS:
        return fdStreams;
      default:
        throw new IllegalArgumentException(String.valueOf(api));
    }
  }

  /** The actor API's counts ({@code io.pekkokq.io.KqTcp}). */
  public ApiMetrics actor() {
    return actor;
  }

  /** The Streams API's counts ({@code io.pekkokq.stream.javadsl.KqTcp}, pekko-kq-http). */
  public ApiMetrics streams() {
    return streams;
  }

  /** The fd streams' counts ({@code FdStreams}). */
  public ApiMetrics fdStreams() {
    return fdStreams;
  }

  /** The sum over all APIs. */
  public ApiMetrics total() {
    return total;
  }

  @Override
  public String toString() {
    return "KqMetrics(native=" + isNative + ", enabled=" + enabled + ", pollers=" + pollers
        + ", actor=" + actor + ", streams=" + streams + ", fdStreams=" + fdStreams + ")";
  }
}
