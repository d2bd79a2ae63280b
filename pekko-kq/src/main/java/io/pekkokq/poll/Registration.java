package io.pekkokq.poll;

import io.pekkokq.sys.FileDescriptor;

/**
 * A descriptor attached to a {@link Poller}: the seam between a socket's owner and the
 * poller. The owner keeps it, reads and writes its descriptor on its own thread, and ends
 * it with {@link #cancel()} before closing the descriptor.
 */
public final class Registration {
  private final Poller poller;
  private final long token;
  private final FileDescriptor descriptor;
  private final ReadyListener listener;

  Registration(Poller poller, long token, FileDescriptor descriptor, ReadyListener listener) {
    this.poller = poller;
    this.token = token;
    this.descriptor = descriptor;
    this.listener = listener;
  }

  public long token() {
    return token;
  }

  public FileDescriptor descriptor() {
    return descriptor;
  }

  public Poller poller() {
    return poller;
  }

  ReadyListener listener() {
    return listener;
  }

  /**
   * Ends the registration: events not yet dispatched are dropped, and the token can never
   * match again, even if the kernel reuses the descriptor number. A dispatch already under
   * way on the poller thread may still reach this registration's listener once, never
   * another's. Does not close the descriptor. Idempotent.
   */
  public void cancel() {
    poller.slots().release(token);
  }

  /** Cancels and then closes the descriptor, in that order. */
  public void cancelAndClose() {
    cancel();
    descriptor.close();
  }

  @Override
  public String toString() {
    return "Registration(" + descriptor + ", " + Token.toString(token) + ")";
  }
}
