package io.pekkokq.runtime;

import io.pekkokq.metrics.SocketCounts;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * INTERNAL API. {@code pekko.io.kq.max-channels}: how many listening and connected sockets
 * one actor system may hold open, counted over both APIs. A socket takes a place before it
 * is opened (or, accepted, before it is kept) and gives it back once, when it closes.
 */
public final class ChannelBudget {
  private final int limit;
  private final AtomicInteger open = new AtomicInteger();

  public ChannelBudget(int limit) {
    if (limit <= 0) throw new IllegalArgumentException("max-channels must be > 0, was " + limit);
    this.limit = limit;
  }

  /** Takes one place; false when all are taken. */
  public boolean tryReserve() {
    for (; ; ) {
      int now = open.get();
      if (now >= limit) return false;
      if (open.compareAndSet(now, now + 1)) return true;
    }
  }

  /** As {@link #tryReserve()}, a refusal counted in {@code counters} (when not null). */
  public boolean tryReserve(SocketCounters counters) {
    if (tryReserve()) return true;
    if (SocketCounters.active(counters) != null) counters.current(null).add(SocketCounts.MAX_CHANNELS_REFUSED, 1);
    return false;
  }

  /**
   * Takes one place.
   *
   * @throws java.io.IOException naming max-channels when all are taken
   */
  public void reserveOrThrow() throws java.io.IOException {
    reserveOrThrow(null);
  }

  /**
   * As {@link #reserveOrThrow()}, a refusal counted in {@code counters} (when not null).
   *
   * @throws Exhausted naming max-channels when all are taken
   */
  public void reserveOrThrow(SocketCounters counters) throws java.io.IOException {
    if (!tryReserve(counters)) throw new Exhausted(limit);
  }

  /** No place left: the IOException a refused Bind or Connect carries. */
  public static final class Exhausted extends java.io.IOException {
    Exhausted(int limit) {
      super("pekko.io.kq.max-channels (" + limit + ") reached: no more sockets may be opened");
    }
  }

  /** Gives back a place {@link #tryReserve()} took. */
  public void release() {
    open.decrementAndGet();
  }

  /** Places taken now. */
  public int open() {
    return open.get();
  }

  public int limit() {
    return limit;
  }
}
