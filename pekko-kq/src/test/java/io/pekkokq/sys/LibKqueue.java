package io.pekkokq.sys;

import org.junit.jupiter.api.Assumptions;

/**
 * Whether this suite runs the kqueue backend on libkqueue, kqueue(2) emulated in user
 * space on Linux ({@code mvn -Pkqueue}, which sets {@code kq.test.libkqueue}), and the
 * causes for which a test is skipped there. A test is skipped only where libkqueue breaks
 * a promise of kqueue(2) that macOS and FreeBSD keep; each cause names the difference,
 * and docs/limitations.md lists every skipped test.
 */
public final class LibKqueue {
  /** True when the library under test is the kqueue backend linked against libkqueue. */
  public static final boolean RUNNING = Boolean.getBoolean("kq.test.libkqueue");

  /**
   * libkqueue reads a socket's pending error with getsockopt(SO_ERROR) to put it in the
   * EV_EOF event's fflags, and getsockopt(2) clears it; FreeBSD and macOS copy so_error
   * into fflags and leave it. So after the event, a refused connect looks connected
   * (SO_ERROR 0) and a reset connection reads as an orderly end of stream.
   */
  public static final String SO_ERROR_CONSUMED =
      "libkqueue consumes the socket error (getsockopt SO_ERROR) when it reports EV_EOF;"
          + " FreeBSD and macOS leave it for the owner, so ECONNREFUSED/ECONNRESET are lost here";

  /**
   * libkqueue takes up to nevents (at most 512) epoll events per kevent call and turns
   * each into up to two kevents (READ and WRITE of one descriptor); those that do not fit
   * in the eventlist are dropped, and an EV_CLEAR knote never fires again for that edge.
   * kqueue(2) returns at most nevents and leaves the rest queued for the next call.
   */
  public static final String OVERFLOW_DROPPED =
      "libkqueue drops the kevents that do not fit in one kevent call's eventlist (more"
          + " than half of it readable AND writable at once); kqueue(2) keeps them for the next call";

  private LibKqueue() {}

  /** Skips the calling test on libkqueue, with the cause in the report. */
  public static void skipBecause(String cause) {
    Assumptions.assumeFalse(RUNNING, () -> "skipped on libkqueue: " + cause);
  }
}
