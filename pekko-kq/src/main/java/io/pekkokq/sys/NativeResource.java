package io.pekkokq.sys;

import java.io.Closeable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A native handle (a descriptor, a poller) whose release can never race a call on it.
 *
 * <p>Every native call brackets itself with {@link #acquire()} / {@link #release()}.
 * {@link #close()} marks the resource closed at once, so later calls fail (EBADF) without
 * reaching the kernel, but the real release ({@link #closeNow()}) runs only when the last
 * call in flight has returned. Without that, a read racing a close could run on a
 * descriptor number the kernel has already handed to a new socket, and a wait racing a
 * poller's close would touch freed memory. Uncontended, the guard costs two atomic
 * operations per call.
 */
public abstract class NativeResource implements Closeable {
  private static final int CLOSED = 1;
  private static final int CLOSE_DONE = 2;
  private static final int ONE_USER = 4;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(NativeResource.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** CLOSED and CLOSE_DONE flags, plus ONE_USER per native call in flight. */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  public final boolean isOpen() {
    return ((int) STATE.getVolatile(this) & CLOSED) == 0;
  }

  /** Enters a native call; false when closed (the call must then not run). */
  protected final boolean acquire() {
    for (; ; ) {
      int s = (int) STATE.getVolatile(this);
      if ((s & CLOSED) != 0) return false;
      if (STATE.compareAndSet(this, s, s + ONE_USER)) return true;
    }
  }

  /** Leaves a native call; performs the deferred release if this was the last one. */
  protected final void release() {
    int now = (int) STATE.getAndAdd(this, -ONE_USER) - ONE_USER;
    if (now == CLOSED) finishClose();
  }

  /**
   * Closes the resource. Idempotent and thread-safe; the native release happens once no
   * call on it is in flight any more.
   */
  @Override
  public final void close() {
    for (; ; ) {
      int s = (int) STATE.getVolatile(this);
      if ((s & CLOSED) != 0) return;
      // Close counts as a call in flight itself, so onClosing() can still use the handle.
      if (STATE.compareAndSet(this, s, (s | CLOSED) + ONE_USER)) {
        try {
          if (s != 0) onClosingWhileInUse();
        } finally {
          release();
        }
        return;
      }
    }
  }

  /** Releases the native handle; runs exactly once, with no call in flight. */
  protected abstract void closeNow();

  /**
   * Called by close() when it found calls in flight, while the handle is still valid: a
   * poller wakes its blocked wait here so that the wait returns and the queue is freed.
   */
  protected void onClosingWhileInUse() {}

  private void finishClose() {
    if (STATE.compareAndSet(this, CLOSED, CLOSED | CLOSE_DONE)) closeNow();
  }
}
