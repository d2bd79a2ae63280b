package io.pekkokq.sys;

import java.io.File;
import java.net.InetSocketAddress;

/**
 * Test helper: finds a TCP socket this process holds, whoever opened it (a pekko-kq
 * connection actor, a Streams stage, Pekko's NIO Tcp), by its local and peer ports, and
 * reads its options with getsockopt, without taking ownership of the descriptor. So a
 * test can read back what a Bind or Connect set on the very socket it made, through the
 * public API only.
 */
public final class OpenSockets {
  /** Descriptors looked at where /proc/self/fd does not list them. */
  private static final int MAX_FD = 1 << 14;

  private OpenSockets() {}

  /** The listening socket on {@code localPort}: bound there, and no peer. */
  public static int listener(int localPort) {
    return find(localPort, -1);
  }

  /** The connected socket from {@code localPort} to {@code peerPort}. */
  public static int connection(int localPort, int peerPort) {
    return find(localPort, peerPort);
  }

  /** {@code option} of descriptor {@code fd}, as {@link SocketDescriptor#getOption} reads it. */
  public static int option(int fd, SocketOption option) {
    int[] out = new int[1];
    int result = Native.socketGetOption0(fd, option.nativeId, out);
    if (result < 0) throw new IllegalStateException("getsockopt " + option + " on fd " + fd + ": " + Errno.message(result));
    return out[0];
  }

  /** @param peerPort -1 for a socket without a peer */
  private static int find(int localPort, int peerPort) {
    for (int fd : candidates()) {
      if (port(fd, false) != localPort) continue;
      if (port(fd, true) == peerPort) return fd;
    }
    throw new IllegalStateException(
        "no socket of this process from port " + localPort + (peerPort < 0 ? " listening" : " to port " + peerPort));
  }

  private static int[] candidates() {
    String[] names = new File("/proc/self/fd").list();
    if (names == null) return java.util.stream.IntStream.range(0, MAX_FD).toArray();
    return java.util.Arrays.stream(names).mapToInt(Integer::parseInt).toArray();
  }

  /** The descriptor's local or peer port; -1 when it has none or is no IP socket. */
  private static int port(int fd, boolean peer) {
    byte[] record = new byte[SocketAddresses.RECORD_SIZE];
    int r = peer ? Native.socketPeerAddress0(fd, record) : Native.socketLocalAddress0(fd, record);
    if (r < 0) return -1;
    try {
      InetSocketAddress a = SocketAddresses.decode(record);
      return a.getPort();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
