package io.pekkokq.sys;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A non-blocking UDP socket: the typed Java view of {@code native/src/datagram.c}.
 * Binding, naming and the options of {@link SocketOption} are {@link SocketDescriptor}'s,
 * shared with {@link Socket}; connecting is the call {@link Socket} makes too.
 *
 * <p>Setup calls (bind, connect, options, membership) throw the IOException a Java user
 * expects ({@link Errno#exception}); the data calls {@link #receive} and {@link #send}
 * move a whole {@link DatagramBatch} and return a count or {@code -errno}, so EAGAIN costs
 * no exception. Use {@link #sendError} for the message of a failed send.
 */
public final class DatagramSocket extends SocketDescriptor {
  private final int family;

  private DatagramSocket(int fd, int family) {
    super(fd);
    this.family = family;
  }

  /** A new UDP socket able to reach or bind {@code address} (IPv4 or IPv6). */
  public static DatagramSocket openFor(InetSocketAddress address) throws IOException {
    return open(SocketAddresses.familyOf(address));
  }

  /** A new non-blocking, close-on-exec UDP socket of family 4 or 6. */
  public static DatagramSocket open(int family) throws IOException {
    NativeLibrary.ensureAvailable();
    return new DatagramSocket(Errno.check("socket", Native.socketUdp0(family)), family);
  }

  /**
   * An IPv6 socket, which reaches IPv4 peers too (IPv4-mapped, as Java's channels do), or
   * an IPv4 socket where the kernel has no IPv6.
   */
  public static DatagramSocket openDualStack() throws IOException {
    NativeLibrary.ensureAvailable();
    int fd = Native.socketUdp0(6);
    if (fd == -Errno.EAFNOSUPPORT) return open(4);
    return new DatagramSocket(Errno.check("socket", fd), 6);
  }

  /** 4 or 6: the family it was opened with (an IPv6 socket reaches IPv4 peers too). */
  public int family() {
    return family;
  }

  /**
   * Fixes the peer: sends without a destination go to it, and only its datagrams are
   * received. Completes at once (no packet is exchanged); an unreachable peer shows up
   * later as a {@code -ECONNREFUSED} from {@link #receive} or {@link #send}.
   */
  public void connect(InetSocketAddress remote) throws IOException {
    byte[] record = SocketAddresses.encode(remote);
    call("connect", () -> Native.socketConnect0(intValue(), record));
  }

  /** Dissolves the connection: the socket receives from anyone again. */
  public void disconnect() throws IOException {
    call("disconnect", () -> Native.dgramDisconnect0(intValue()));
  }

  /**
   * Receives up to {@code max} waiting datagrams into the batch's first records.
   *
   * @return how many (>= 1); -EAGAIN when none waits; another -errno (on a connected
   *     socket, -ECONNREFUSED: the peer's host reported that nobody listens)
   */
  public int receive(DatagramBatch batch, int max) {
    if (max < 1 || max > batch.capacity()) {
      throw new IllegalArgumentException("max must be 1.." + batch.capacity() + ": " + max);
    }
    batch.armForReceive(max);
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.dgramRecv0(intValue(), batch.address(), max);
    } finally {
      release();
    }
  }

  /**
   * Sends the batch's first {@code count} records ({@link DatagramBatch#setSend}), in order.
   *
   * @return how many went out (>= 1; the rest are for the next call), -EAGAIN when the
   *     send buffer is full, or -errno for the first record (-EMSGSIZE: longer than UDP
   *     allows to its destination)
   */
  public int send(DatagramBatch batch, int count) {
    if (count < 1 || count > batch.capacity()) {
      throw new IllegalArgumentException("count must be 1.." + batch.capacity() + ": " + count);
    }
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.dgramSend0(intValue(), batch.address(), count);
    } finally {
      release();
    }
  }

  /**
   * The exception for a send that returned {@code result}, naming what could not be sent:
   * for -EMSGSIZE the datagram's size and UDP's limit for the destination's family.
   */
  public static IOException sendError(int result, int length, InetSocketAddress target) {
    if (result == -Errno.EMSGSIZE) {
      boolean v4 = target == null || target.getAddress() instanceof Inet4Address;
      int limit = v4 ? DatagramBatch.MAX_IPV4_PAYLOAD : DatagramBatch.MAX_IPV6_PAYLOAD;
      return new IOException(
          "datagram of " + length + " bytes"
              + (target == null ? "" : " to " + target)
              + " is too large: UDP over " + (v4 ? "IPv4" : "IPv6") + " carries at most " + limit
              + " bytes" + (length <= limit ? " and this system allows fewer" : ""));
    }
    return Errno.exception("send", result, target);
  }

  public void setOption(DatagramOption option, int value) throws IOException {
    call("setsockopt " + option, () -> Native.dgramSetOption0(intValue(), option.nativeId, value));
  }

  public int getOption(DatagramOption option) throws IOException {
    int[] out = new int[1];
    call("getsockopt " + option, () -> Native.dgramGetOption0(intValue(), option.nativeId, out));
    return out[0];
  }

  /**
   * Joins the multicast group on the interface with index {@code interfaceIndex}
   * ({@link java.net.NetworkInterface#getIndex()}; 0 lets the routing table choose).
   */
  public void joinGroup(InetAddress group, int interfaceIndex) throws IOException {
    membership("join group", group, interfaceIndex, true);
  }

  public void leaveGroup(InetAddress group, int interfaceIndex) throws IOException {
    membership("leave group", group, interfaceIndex, false);
  }

  private void membership(String operation, InetAddress group, int interfaceIndex, boolean join)
      throws IOException {
    if (!group.isMulticastAddress()) {
      throw new IllegalArgumentException("not a multicast address: " + group);
    }
    byte[] record = SocketAddresses.encode(new InetSocketAddress(group, 0));
    if (!acquire()) throw Errno.exception(operation, -Errno.EBADF);
    try {
      int result = Native.dgramMembership0(intValue(), record, interfaceIndex, join);
      if (result < 0) throw Errno.exception(operation, result, group + " on interface " + interfaceIndex);
    } finally {
      release();
    }
  }
}
