package io.pekkokq.runtime;

import io.pekkokq.metrics.Api;
import io.pekkokq.metrics.ApiMetrics;
import io.pekkokq.metrics.ConnectFailure;
import io.pekkokq.metrics.SocketCounts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * INTERNAL API. The socket counters of one {@link Api} of one actor system ({@link
 * SocketCounts} says which): written by the socket layer ({@code SocketDriver}, {@code
 * Acceptor}, {@code Connector}) and {@link ChannelBudget}, read by {@link #snapshot}.
 *
 * <p>Why per thread: a socket's owner (a connection actor, a stream stage) runs on one
 * thread at a time, but not always the same one (an actor on a thread-pool dispatcher, a
 * stage on the default dispatcher), and many owners share a thread. So each thread that
 * counts gets its own {@link Block}, which only that thread writes: an increment is a
 * plain read of its own last value and a release store (a plain {@code mov} on x86, {@code
 * stlr} on arm64; no lock, no compare-and-swap, no fence, no cache line shared with another
 * writer). A snapshot sums the blocks with acquire loads. Each block's counters only grow,
 * so their sums only grow too; and since the closing counters are read before the opening
 * ones, and a socket's close happens after its open (release/acquire carries that order
 * to the reader), a gauge (opened - closed) is never seen below zero.
 *
 * <p>Blocks of threads that have ended are folded into {@link #retired} under the lock
 * (a thread's end happens-before {@code isAlive()} returning false), so a pool that
 * replaces its threads leaves nothing behind.
 */
public final class SocketCounters {
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  /** Counters that end something first, then the rest: see the class comment. */
  private static final int[] READ_ORDER = readOrder();

  private final Api api;
  private final boolean enabled;
  private final ThreadLocal<Block> ofThread = ThreadLocal.withInitial(this::newBlock);
  /** Guarded by this: the blocks of live threads. */
  private final List<Block> blocks = new ArrayList<>();
  /** Guarded by this: the sums of the blocks of threads that have ended. */
  private final long[] retired = new long[SocketCounts.COUNT];

  /** @param enabled false: {@code pekko.io.kq.metrics.enabled = off}, nothing is counted */
  public SocketCounters(Api api, boolean enabled) {
    this.api = api;
    this.enabled = enabled;
  }

  public Api api() {
    return api;
  }

  /**
   * {@code counters} when they count, else null: what a socket-layer class keeps, so that
   * with metrics off each count site costs one null check.
   */
  public static SocketCounters active(SocketCounters counters) {
    return counters != null && counters.enabled ? counters : null;
  }

  /**
   * The calling thread's block: {@code cached} when it is that thread's, else looked up
   * (a thread-local read). An owner keeps the block it was given and passes it back, so
   * the look-up happens only when its thread changes.
   */
  public Block current(Block cached) {
    return cached != null && cached.owner == Thread.currentThread() ? cached : ofThread.get();
  }

  /** Counts one failed connect with the cause {@code cause} stands for. */
  public void connectFailed(Throwable cause) {
    if (!enabled) return;
    ConnectFailure kind = ConnectFailures.classify(cause);
    if (kind != null) current(null).add(SocketCounts.CONNECT_FAILED + kind.ordinal(), 1);
  }

  private synchronized Block newBlock() {
    retireEnded();
    Block b = new Block(Thread.currentThread());
    blocks.add(b);
    return b;
  }

  /** The counters as of now. Any thread. */
  public synchronized ApiMetrics snapshot() {
    retireEnded();
    long[] sum = retired.clone();
    for (int index : READ_ORDER) {
      for (Block b : blocks) sum[index] += (long) LONGS.getAcquire(b.counts, index);
    }
    return ApiMetrics.of(api, sum);
  }

  private void retireEnded() {
    for (Iterator<Block> it = blocks.iterator(); it.hasNext(); ) {
      Block b = it.next();
      if (b.owner.isAlive()) continue;
      for (int i = 0; i < retired.length; i++) retired[i] += b.counts[i];
      it.remove();
    }
  }

  private static int[] readOrder() {
    int[] first = {SocketCounts.CONNECTIONS_CLOSED, SocketCounts.LISTENERS_CLOSED, SocketCounts.UNQUEUED};
    int[] order = new int[SocketCounts.COUNT];
    int n = 0;
    for (int i : first) order[n++] = i;
    outer:
    for (int i = 0; i < SocketCounts.COUNT; i++) {
      for (int f : first) if (f == i) continue outer;
      order[n++] = i;
    }
    return order;
  }

  /** One thread's counters: only {@link #owner} writes them. */
  public static final class Block {
    final Thread owner;
    final long[] counts = new long[SocketCounts.COUNT];

    Block(Thread owner) {
      this.owner = owner;
    }

    /** Owner thread only: counter {@code index} ({@link SocketCounts}) grows by {@code n}. */
    public void add(int index, long n) {
      LONGS.setRelease(counts, index, counts[index] + n);
    }
  }
}
