package io.pekkokq.sys;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;

/**
 * What every socket the library opens, stream ({@link Socket}) or datagram ({@link
 * DatagramSocket}), does the same way: bind to an IP address, name its ends, and set and
 * read the options of {@link SocketOption}. One implementation, so both kinds report an option this
 * platform lacks alike: an {@link UnsupportedSocketOptionException} naming it.
 *
 * <p>Setup calls throw the IOException a Java user expects ({@link Errno#exception}).
 */
public abstract class SocketDescriptor extends FileDescriptor {
  /**
   * Options that act as if this platform's kernel lacked them: for tests, which play a
   * kernel without an option on one that has it (through {@code io.pekkokq.sys.AbsentSocketOptions}
   * in the test sources). Empty in production; replaced whole, never changed in place.
   */
  private static volatile Set<SocketOption> simulatedAbsent = EnumSet.noneOf(SocketOption.class);

  protected SocketDescriptor(int fd) {
    super(fd);
  }

  public final void bind(InetSocketAddress local) throws IOException {
    byte[] record = SocketAddresses.encode(local);
    call("bind", () -> Native.socketBind0(intValue(), record));
  }

  public final InetSocketAddress localAddress() throws IOException {
    byte[] record = new byte[SocketAddresses.RECORD_SIZE];
    call("getsockname", () -> Native.socketLocalAddress0(intValue(), record));
    return SocketAddresses.decode(record);
  }

  /** The connected peer; a SocketException when not connected. */
  public final InetSocketAddress remoteAddress() throws IOException {
    byte[] record = new byte[SocketAddresses.RECORD_SIZE];
    call("getpeername", () -> Native.socketPeerAddress0(intValue(), record));
    return SocketAddresses.decode(record);
  }

  /**
   * Sets an option.
   *
   * @throws UnsupportedSocketOptionException when this platform, or this kind of socket,
   *     does not have the option (the kernel's ENOPROTOOPT, or a name the library was
   *     built without)
   */
  public final void setOption(SocketOption option, int value) throws IOException {
    optionCall("setsockopt", option, () -> Native.socketSetOption0(intValue(), option.nativeId, value));
  }

  public final void setOption(SocketOption option, boolean on) throws IOException {
    setOption(option, on ? 1 : 0);
  }

  /** Reads an option back: booleans as 0/1, the rest as the kernel keeps them. */
  public final int getOption(SocketOption option) throws IOException {
    int[] out = new int[1];
    optionCall("getsockopt", option, () -> Native.socketGetOption0(intValue(), option.nativeId, out));
    return out[0];
  }

  private void optionCall(String operation, SocketOption option, NativeCall call) throws IOException {
    String what = operation + " " + option;
    if (!acquire()) throw Errno.exception(what, -Errno.EBADF);
    try {
      int result = simulatedAbsent.contains(option) ? -Errno.ENOPROTOOPT : call.run();
      if (result == -Errno.ENOPROTOOPT) throw new UnsupportedSocketOptionException(option);
      Errno.check(what, result);
    } finally {
      release();
    }
  }

  /** A native call that returns 0 or more, or -errno. */
  protected interface NativeCall {
    int run();
  }

  /** Makes {@code call} on this descriptor, guarded; its -errno becomes an IOException. */
  protected final void call(String operation, NativeCall call) throws IOException {
    if (!acquire()) throw Errno.exception(operation, -Errno.EBADF);
    try {
      Errno.check(operation, call.run());
    } finally {
      release();
    }
  }

  /**
   * For tests: from now on {@code absent} act as if the kernel lacked them (the rest as
   * they are). Package-private; tests reach it through their own helper in this package.
   */
  static void simulateAbsent(Set<SocketOption> absent) {
    simulatedAbsent = absent.isEmpty() ? EnumSet.noneOf(SocketOption.class) : EnumSet.copyOf(absent);
  }
}
