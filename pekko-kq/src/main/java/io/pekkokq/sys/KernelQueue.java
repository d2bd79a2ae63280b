package io.pekkokq.sys;

import java.io.IOException;

/**
 * One kernel event queue (an epoll instance, a kqueue) with its three internal sources:
 * a wake-up channel, one timer, and optionally the process's signal channel. The typed
 * Java view of {@code kq_poller_*} in kq.h; it knows nothing of threads or actors.
 *
 * <p>{@link #add}, {@link #modify}, {@link #delete}, {@link #wake} and {@link
 * #setTimer} may be called from any thread, also while another thread is blocked in
 * {@link #await}: the kernel allows concurrent registration, so adding a socket never has
 * to wake the poller. {@link #close()} may be called at any time: it wakes a blocked wait
 * and frees the queue once that wait has returned.
 */
public final class KernelQueue extends NativeResource {
  private final long handle;
  private final EventArray events;

  private KernelQueue(long handle, EventArray events) {
    this.handle = handle;
    this.events = events;
  }

  /** Opens a queue whose waits return at most {@code maxEvents} events at a time. */
  public static KernelQueue open(int maxEvents) throws IOException {
    NativeLibrary.ensureAvailable();
    if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be >= 1: " + maxEvents);
    EventArray events = new EventArray(maxEvents);
    long handle = Native.pollerOpen0(maxEvents);
    if (handle < 0) throw Errno.exception("kq_poller_open", (int) handle);
    return new KernelQueue(handle, events);
  }

  /** The array the last {@link #await} filled; valid until the next one. */
  public EventArray events() {
    return events;
  }

  /**
   * Attaches {@code fd} once, edge-triggered, for {@code interest} (READ = 1, WRITE = 2),
   * reporting {@code token} (its upper 32 bits must not be 0: those are reserved).
   */
  public void add(FileDescriptor fd, long token, int interest) throws IOException {
    control("kq_poller_add", fd, token, interest, 0);
  }

  /** Replaces the interest and token of an attached descriptor. */
  public void modify(FileDescriptor fd, long token, int interest) throws IOException {
    control("kq_poller_modify", fd, token, interest, 1);
  }

  /** Detaches a descriptor that stays open (closing a descriptor detaches it anyway). */
  public void delete(FileDescriptor fd) throws IOException {
    control("kq_poller_delete", fd, 0, 0, 2);
  }

  private void control(String operation, FileDescriptor fd, long token, int interest, int op)
      throws IOException {
    if (!acquire()) throw new IOException(operation + ": the kernel queue is closed");
    try {
      if (!fd.acquire()) throw Errno.exception(operation, -Errno.EBADF);
      try {
        int result;
        if (op == 0) result = Native.pollerAdd0(handle, fd.intValue(), token, interest);
        else if (op == 1) result = Native.pollerModify0(handle, fd.intValue(), token, interest);
        else result = Native.pollerDelete0(handle, fd.intValue());
        Errno.check(operation, result);
      } finally {
        fd.release();
      }
    } finally {
      release();
    }
  }

  /**
   * Waits for events: {@code timeoutMillis < 0} waits until something happens, 0 does not
   * block. Returns how many events {@link #events()} now holds, 0 on timeout, or -EBADF
   * once the queue is closed. One JNI call; no allocation.
   */
  public int await(int timeoutMillis) {
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.pollerWait0(handle, events.address(), events.capacity(), timeoutMillis);
    } finally {
      release();
    }
  }

  /** Makes a blocked (or the next) {@link #await} return with a WAKEUP event. */
  public void wake() {
    if (!acquire()) return;
    try {
      Native.pollerWake0(handle);
    } finally {
      release();
    }
  }

  /** Arms the one timer: a TIMER event {@code delayNanos} from now; negative disarms. */
  public void setTimer(long delayNanos) throws IOException {
    if (!acquire()) throw new IOException("kq_poller_set_timer: the kernel queue is closed");
    try {
      Errno.check("kq_poller_set_timer", Native.pollerSetTimer0(handle, delayNanos));
    } finally {
      release();
    }
  }

  /** Makes this queue report subscribed signals as SIGNAL events (one queue per process). */
  public void watchSignals() throws IOException {
    if (!acquire()) throw new IOException("kq_poller_watch_signals: the kernel queue is closed");
    try {
      Errno.check("kq_poller_watch_signals", Native.pollerWatchSignals0(handle));
    } finally {
      release();
    }
  }

  @Override
  protected void onClosingWhileInUse() {
    // A wait may be blocked with no timeout: wake it so its release frees the queue.
    Native.pollerWake0(handle);
  }

  @Override
  protected void closeNow() {
    Native.pollerClose0(handle);
  }
}
