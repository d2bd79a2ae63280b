package io.pekkokq.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * INTERNAL API. The accepted sockets of one actor system that are on their way to an owner
 * inside a message, and closes those that never arrive.
 *
 * <p>An accepted socket holds a max-channels place and travels from the listener that
 * accepted it to the one that will own it: the actor API sends it to a poller's home
 * ({@code RegisterIncoming}), the Streams API emits it inside an {@code IncomingConnection}
 * whose flow is materialized later. When that owner is gone before it takes the socket (a
 * home stopping at actor system termination turns its mailbox into dead letters; a flow
 * never materialized while the pollers that would expire it stop), nobody would ever close
 * the descriptor: a native descriptor has no cleaner. So each one is {@link #send sent} as a
 * {@link Handoff}, which its receiver {@link Handoff#claim claims}; {@link #closeAll}, run
 * when the runtime shuts down (after every IO actor has stopped, so no owner can take one
 * any more), claims and {@link Handoff#discard discards} whatever is still on its way.
 * Exactly one of receiver and sweep claims each socket: a compare-and-set decides.
 *
 * <p>Cost per accepted socket: one insert into and one removal from a concurrent set, no
 * lock shared by the pollers: the sets are striped by the sending thread, so that the
 * pollers (each accepting on its own thread) touch different sets.
 */
public final class SocketsInTransit {
  /**
   * A socket on its way to an owner: the receiver {@link #claim}s it before it takes it, and
   * whoever claims it first owns it ({@link #discard} when that is the sweep).
   */
  public abstract static class Handoff {
    private static final AtomicIntegerFieldUpdater<Handoff> CLAIMED =
        AtomicIntegerFieldUpdater.newUpdater(Handoff.class, "claimed");

    private volatile int claimed;
    /** The stripe it waits in; null when it was never sent through a registry. */
    private Set<Handoff> stripe;

    /**
     * True exactly once, for the first caller: it owns the socket from now on (takes it, or
     * closes it). A receiver that gets false must not touch the socket: it is closed already.
     */
    public final boolean claim() {
      if (!CLAIMED.compareAndSet(this, 0, 1)) return false;
      Set<Handoff> s = stripe;
      if (s != null) s.remove(this);
      return true;
    }

    /** Claims it and, when that succeeds, {@link #discard}s it: true when it did so. */
    public final boolean claimAndDiscard() {
      if (!claim()) return false;
      discard();
      return true;
    }

    /**
     * Closes the socket nobody took (a reset: the peer learns it was not served) and gives
     * its max-channels place back. Called once, by the one that claimed it.
     */
    protected abstract void discard();
  }

  @SuppressWarnings("unchecked")
  private final Set<Handoff>[] stripes;
  private final int mask;
  /** Set by the first {@link #closeAll}: from then on a socket sent is discarded at once. */
  private volatile boolean closed;

  /** About one stripe per thread that accepts (the pollers). */
  @SuppressWarnings("unchecked")
  public SocketsInTransit(int threads) {
    int n = Integer.highestOneBit(Math.max(1, threads) * 2 - 1);
    this.stripes = new Set[n];
    for (int i = 0; i < n; i++) stripes[i] = ConcurrentHashMap.newKeySet();
    this.mask = n - 1;
  }

  /**
   * Records {@code handoff} as on its way; call it before the message that carries it is
   * sent. After {@link #closeAll} it is discarded at once (its receiver's claim fails).
   */
  public void send(Handoff handoff) {
    Set<Handoff> s = stripes[(int) Thread.currentThread().getId() & mask];
    handoff.stripe = s;
    s.add(handoff);
    // Either this sees closed, or closeAll's walk (after it set closed) sees the insert:
    // both are volatile accesses, so one of the two always closes a late socket.
    if (closed) handoff.claimAndDiscard();
  }

  /**
   * Discards every socket still on its way, and from now on every socket sent. For the
   * runtime's shutdown, when no owner can take a socket any more. Idempotent.
   *
   * @return how many it discarded
   */
  public int closeAll() {
    closed = true;
    int discarded = 0;
    RuntimeException first = null;
    for (Set<Handoff> s : stripes) {
      for (Handoff h : s) {
        try {
          if (h.claimAndDiscard()) discarded++;
        } catch (RuntimeException e) { // one that fails must not leave the others open
          if (first == null) first = e;
          else first.addSuppressed(e);
        }
      }
    }
    if (first != null) throw first;
    return discarded;
  }

  /** Sockets on their way now. */
  public int size() {
    int n = 0;
    for (Set<Handoff> s : stripes) n += s.size();
    return n;
  }
}
