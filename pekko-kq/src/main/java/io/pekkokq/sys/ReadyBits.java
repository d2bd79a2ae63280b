package io.pekkokq.sys;

/**
 * The portable readiness bits of an event, as the native backends translate them from
 * EPOLLIN / EVFILT_READ and friends. IMPORTANT: values are those of KQ_EV_* in kq.h.
 */
public final class ReadyBits {
  /** Data, a pending accept, or the end of the stream can be read. */
  public static final int READABLE = 0x01;
  /** The send buffer has room, or a pending connect has ended (successfully or not). */
  public static final int WRITABLE = 0x02;
  /** The peer shut down its writing side. */
  public static final int HANGUP = 0x04;
  /** An error is pending on the descriptor. */
  public static final int ERROR = 0x08;
  /** The poller's wake-up channel fired (internal). */
  public static final int WAKEUP = 0x10;
  /** The poller's timer expired (internal). */
  public static final int TIMER = 0x20;
  /** A subscribed signal arrived; the event's token is the signal number (internal). */
  public static final int SIGNAL = 0x40;

  /** Every bit an owner of a descriptor can see. */
  public static final int IO_MASK = READABLE | WRITABLE | HANGUP | ERROR;

  private ReadyBits() {}

  public static String toString(int bits) {
    StringBuilder b = new StringBuilder("[");
    if ((bits & READABLE) != 0) b.append("READABLE ");
    if ((bits & WRITABLE) != 0) b.append("WRITABLE ");
    if ((bits & HANGUP) != 0) b.append("HANGUP ");
    if ((bits & ERROR) != 0) b.append("ERROR ");
    if ((bits & WAKEUP) != 0) b.append("WAKEUP ");
    if ((bits & TIMER) != 0) b.append("TIMER ");
    if ((bits & SIGNAL) != 0) b.append("SIGNAL ");
    if (b.length() > 1) b.setLength(b.length() - 1);
    return b.append(']').toString();
  }
}
