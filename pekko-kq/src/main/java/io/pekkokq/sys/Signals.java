package io.pekkokq.sys;

import java.io.IOException;

/**
 * UNIX signals as events. The JVM cannot use signalfd (a signal would have to be blocked
 * in every thread, including the JVM's own), so the library installs a handler that
 * writes the signal number to a pipe one kernel queue watches ({@link
 * KernelQueue#watchSignals}). Signals the JVM depends on are refused.
 */
public final class Signals {
  private Signals() {}

  /**
   * The platform's number for a signal name such as "HUP", "USR1" or "SIGWINCH".
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static int number(String name) {
    if (name == null) throw new NullPointerException("signal name");
    NativeLibrary.ensureAvailable();
    int signo = Native.signalNumber0(name.trim().toUpperCase(java.util.Locale.ROOT));
    if (signo <= 0) throw new IllegalArgumentException("unknown signal name: " + name);
    return signo;
  }

  /** True when the library refuses to take over this signal because the JVM needs it. */
  public static boolean isRefused(int signo) {
    NativeLibrary.ensureAvailable();
    int result = Native.signalIsRefused0(signo);
    if (result < 0) throw new IllegalArgumentException("invalid signal number: " + signo);
    return result == 1;
  }

  /**
   * Installs the forwarding handler for {@code signo}, keeping the previous disposition.
   *
   * @throws IllegalArgumentException when the signal is one the JVM owns, or invalid
   */
  public static void subscribe(int signo) throws IOException {
    NativeLibrary.ensureAvailable();
    int result = Native.signalSubscribe0(signo);
    if (result == -Errno.EPERM) {
      throw new IllegalArgumentException(
          "signal " + signo + " is used by the JVM itself (crash handling, thread dumps, "
              + "safepoints) and cannot be subscribed to");
    }
    if (result == -Errno.EINVAL) throw new IllegalArgumentException("invalid signal number: " + signo);
    Errno.check("sigaction", result);
  }

  /** Restores the disposition {@code signo} had before {@link #subscribe}. */
  public static void unsubscribe(int signo) throws IOException {
    NativeLibrary.ensureAvailable();
    int result = Native.signalUnsubscribe0(signo);
    if (result == -Errno.EINVAL) throw new IllegalArgumentException("signal " + signo + " is not subscribed");
    Errno.check("sigaction", result);
  }
}
