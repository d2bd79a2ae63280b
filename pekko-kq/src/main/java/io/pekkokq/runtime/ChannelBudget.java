package io.pekkokq.runtime;

import io.pekkokq.metrics.SocketCounts;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * INTERNAL API. {@code pekko.io.kq.max-channels}: how many listening and connected sockets
 * one actor system may hold open, counted over both APIs. A socket takes a place before it
 * is opened (or, accepted, before it is kept) and gives it back once, when it closes.
 *
 * <p>Exact, and nothing shared per socket between pollers. Places are taken from the limit
 * ({@link #taken}, the one shared counter) in chunks by lanes, one lane per poller thread
 * ({@link #joinLane}); a poller's sockets take and give back places of its own lane, a
 * counter that only its thread touches but for the rare steal below, so opening and
 * closing a connection moves no cache line between cores. Other threads use the shared
 * counter directly. A lane gives a chunk back once it holds two chunks free. Never more
 * than {@code limit} places are in use: each one in use was taken from the shared counter.
 * And a refusal means the limit is really reached: when the shared counter is exhausted, a
 * reservation takes a free place of another lane (a steal, one compare-and-set) before it
 * gives up, so places lanes hold free are never lost to the others.
 */
public final class ChannelBudget {
  /** The most places a lane takes at once. */
  private static final int MAX_CHUNK = 64;

  private final int limit;
  /** Places taken from the limit: in use, or held free by a lane. */
  private final AtomicInteger taken = new AtomicInteger();
  private final Lane[] lanes;
  private final int chunk;
  /**
   * The lanes of the threads that joined one ({@link #joinLane}), by thread id, open
   * addressing: found with a field read, a mask and a compare, cheaper than a ThreadLocal.
   * Copied on each join (a handful, at start), published by the volatile write.
   */
  private volatile Lane[] byThread = new Lane[0];

  /** A budget without lanes: every place from the shared counter. */
  public ChannelBudget(int limit) {
    this(limit, 0);
  }

  /** A budget with {@code lanes} lanes, for threads that {@link #joinLane} them. */
  public ChannelBudget(int limit, int lanes) {
    if (limit <= 0) throw new IllegalArgumentException("max-channels must be > 0, was " + limit);
    this.limit = limit;
    this.lanes = new Lane[lanes];
    for (int i = 0; i < lanes; i++) this.lanes[i] = new Lane();
    // Small limits take small chunks: a lane never holds a large share of them.
    this.chunk = Math.max(1, Math.min(MAX_CHUNK, limit / (16 * Math.max(1, lanes))));
  }

  /** From now on the calling thread (a poller's) takes and gives back places of lane {@code index}. */
  public synchronized void joinLane(int index) {
    Lane lane = lanes[index];
    lane.owner = Thread.currentThread();
    int size = Integer.highestOneBit(Math.max(1, lanes.length) * 4 - 1) << 1; // load <= 1/2
    Lane[] table = new Lane[size];
    for (Lane l : byThread) if (l != null && l != lane) put(table, l);
    put(table, lane);
    byThread = table;
  }

  private static void put(Lane[] table, Lane lane) {
    int mask = table.length - 1;
    int i = (int) lane.owner.getId() & mask;
    while (table[i] != null) i = (i + 1) & mask;
    table[i] = lane;
  }

  /** The lane the calling thread joined, or null. */
  private Lane laneOfThread() {
    Lane[] table = byThread;
    int n = table.length;
    if (n == 0) return null;
    Thread t = Thread.currentThread();
    int mask = n - 1;
    for (int i = (int) t.getId() & mask; ; i = (i + 1) & mask) {
      Lane l = table[i];
      if (l == null || l.owner == t) return l;
    }
  }

  /** Takes one place; false when all are taken. */
  public boolean tryReserve() {
    Lane lane = laneOfThread();
    if (lane != null) {
      if (lane.takeFree()) return true;
      int got = takeShared(chunk);
      if (got > 0) {
        if (got > 1) lane.addFree(got - 1);
        return true;
      }
    } else if (takeShared(1) == 1) {
      return true;
    }
    return steal();
  }

  /** Up to {@code n} places from the shared counter: how many it got. */
  private int takeShared(int n) {
    for (; ; ) {
      int now = taken.get();
      int got = Math.min(n, limit - now);
      if (got <= 0) return 0;
      if (taken.compareAndSet(now, now + got)) return got;
    }
  }

  /** A free place of any lane, when the shared counter has none. */
  private boolean steal() {
    for (Lane l : lanes) if (l.takeFree()) return true;
    return false;
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

  /** Gives back a place {@link #tryReserve()} took (on any thread: places are alike). */
  public void release() {
    Lane lane = laneOfThread();
    if (lane == null) {
      taken.decrementAndGet();
      return;
    }
    int free = lane.addFree(1);
    // Two chunks free: one goes back, so that a lane never sits on many places. A failed
    // compare-and-set (a steal came between) leaves it to the next release.
    if (free >= 2 * chunk && lane.compareAndSetFree(free, free - chunk)) taken.addAndGet(-chunk);
  }

  /** Places in use now (taken, less those lanes hold free). */
  public int open() {
    return taken.get() - heldFree();
  }

  /** Places the lanes hold free now. */
  int heldFree() {
    int free = 0;
    for (Lane l : lanes) free += l.free();
    return free;
  }

  public int limit() {
    return limit;
  }

  /**
   * The free places of one poller's lane: only its own thread adds to them; others take
   * one (a steal) only when the shared counter is exhausted. Padded by the classes around
   * its one field (superclass fields come first), so that two lanes never share a cache line.
   */
  private static final class Lane extends LaneFree {
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7, q8;
    /** The thread that joined it (set before the table that holds it is published). */
    Thread owner;

    boolean takeFree() {
      for (int f = free; f > 0; f = free) {
        if (FREE.compareAndSet(this, f, f - 1)) return true;
      }
      return false;
    }

    int addFree(int n) {
      return (int) FREE.getAndAdd(this, n) + n;
    }

    boolean compareAndSetFree(int expected, int value) {
      return FREE.compareAndSet(this, expected, value);
    }

    int free() {
      return free;
    }
  }

  private static class LanePadding {
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7, p8;
  }

  private static class LaneFree extends LanePadding {
    static final java.lang.invoke.VarHandle FREE;

    static {
      try {
        FREE = java.lang.invoke.MethodHandles.lookup().findVarHandle(LaneFree.class, "free", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    volatile int free;
  }
}
