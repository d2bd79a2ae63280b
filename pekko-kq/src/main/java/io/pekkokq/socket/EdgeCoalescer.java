package io.pekkokq.socket;

import io.pekkokq.poll.ReadyListener;
import io.pekkokq.sys.ReadyBits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A poller listener that hands readiness to an owner on another thread with one hop per
 * burst: the poller thread ORs each edge's bits in, and only the edge that finds nothing
 * waiting calls {@code notify} (e.g. invokes a stage's async callback); the owner then
 * {@link #take()}s everything that arrived meanwhile at once.
 */
public final class EdgeCoalescer implements ReadyListener {
  /**
   * Set with every edge, beside its bits: an edge with no I/O bits still marks the hand-off
   * as under way, so the next edge does not notify again. No {@link ReadyBits} value uses it.
   */
  static final int HANDOFF_PENDING = 1 << 30;

  /**
   * The bits not yet taken, in a field of this object rather than an AtomicInteger: one per
   * stream connection, and a separate object was 16 bytes of every idle one.
   */
  private volatile int pending; // compare-and-set through PENDING

  private static final VarHandle PENDING;

  static {
    try {
      PENDING = MethodHandles.lookup().findVarHandle(EdgeCoalescer.class, "pending", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Runnable notify;

  public EdgeCoalescer(Runnable notify) {
    this.notify = notify;
  }

  @Override
  public void onReady(int readyBits) {
    for (; ; ) { // a CAS loop, not getAndUpdate: a capturing lambda per edge would allocate
      int prev = pending;
      if (PENDING.compareAndSet(this, prev, prev | readyBits | HANDOFF_PENDING)) {
        if (prev == 0) notify.run();
        return;
      }
    }
  }

  /** The bits of every edge since the last take ({@link ReadyBits}), and clears them. */
  public int take() {
    return (int) PENDING.getAndSet(this, 0) & ReadyBits.IO_MASK;
  }
}
