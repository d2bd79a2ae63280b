package io.pekkokq.poll;

import io.pekkokq.metrics.PollerMetrics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one poller's loop counts, written by the poller thread only and read by any thread
 * taking a snapshot ({@link Poller#metrics}).
 *
 * <p>Why no atomics: each counter has one writer, so an increment is a plain read of our
 * own last value and a store; no read-modify-write has to be atomic. The store is a
 * release store (VarHandle {@code setRelease}: a plain {@code mov} on x86, {@code stlr} on
 * arm64, no fence), and a reader loads with acquire semantics, which guarantees it sees a
 * whole 64-bit value (never a torn one, also on 32-bit JVMs) that only grows, and that
 * whatever the loop wrote before that store is visible with it. Compared with the {@code
 * volatile} field the stale-event count used to be, this spares a full fence per write.
 */
final class PollerCounters {
  static final int TURNS = 0;
  static final int EVENTS = 1;
  static final int STALE_EVENTS = 2;
  static final int WAKEUPS = 3;
  static final int TASKS = 4;
  static final int TIMERS = 5;
  static final int USER_EVENTS = 6;
  static final int LONGEST_TURN = 7;
  private static final int COUNT = 8;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] counts = new long[COUNT];

  /** Poller thread only. */
  void add(int index, long n) {
    if (n != 0) LONGS.setRelease(counts, index, counts[index] + n);
  }

  /** Poller thread only: {@code nanos} becomes the longest turn if it is longer. */
  void turnTook(long nanos) {
    if (nanos > counts[LONGEST_TURN]) LONGS.setRelease(counts, LONGEST_TURN, nanos);
  }

  /** Any thread. */
  long get(int index) {
    return (long) LONGS.getAcquire(counts, index);
  }

  /** Any thread. */
  PollerMetrics snapshot(String name, int registrations) {
    return new PollerMetrics(
        name, get(TURNS), get(EVENTS), get(STALE_EVENTS), get(WAKEUPS), get(TASKS), get(TIMERS),
        get(USER_EVENTS), registrations, get(LONGEST_TURN));
  }
}
