package io.pekkokq.sys;

import java.util.EnumSet;

/**
 * Plays a kernel that lacks some socket options, on one that has them all (Linux): while
 * open, setting or reading any of them fails as the kernel's ENOPROTOOPT does, through the
 * library's own path ({@link UnsupportedSocketOptionException} naming the option). For
 * tests of what a Bind or Connect does on macOS or FreeBSD, where TCP_USER_TIMEOUT and
 * TCP_QUICKACK do not exist. Process-wide: use it in try-with-resources, in tests that
 * run alone (Surefire runs this suite's classes one after the other).
 */
public final class AbsentSocketOptions implements AutoCloseable {
  private AbsentSocketOptions() {}

  /** From now until {@link #close()}, {@code first} and {@code more} are absent. */
  public static AbsentSocketOptions simulate(SocketOption first, SocketOption... more) {
    SocketDescriptor.simulateAbsent(EnumSet.of(first, more));
    return new AbsentSocketOptions();
  }

  /** Every option is the kernel's again. */
  @Override
  public void close() {
    SocketDescriptor.simulateAbsent(EnumSet.noneOf(SocketOption.class));
  }
}
