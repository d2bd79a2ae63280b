package io.pekkokq.sys;

/**
 * The socket options the library sets, by their portable ids (KQ_SO_*, KQ_TCP_*, KQ_IP*
 * in kq.h). An option the platform's kernel lacks fails {@link SocketDescriptor#setOption} with an
 * {@link UnsupportedSocketOptionException} naming it.
 */
public enum SocketOption {
  REUSE_ADDRESS(1, 0, 1),
  REUSE_PORT(2, 0, 1),
  TCP_NO_DELAY(3, 0, 1),
  KEEP_ALIVE(4, 0, 1),
  RECEIVE_BUFFER_SIZE(5, 1, Integer.MAX_VALUE),
  SEND_BUFFER_SIZE(6, 1, Integer.MAX_VALUE),
  /** Seconds to linger on close, or -1 for off; 0 makes close send a reset. */
  LINGER(7, -1, Integer.MAX_VALUE),
  /** Milliseconds unacknowledged data may wait before the connection is dropped (Linux). */
  TCP_USER_TIMEOUT(8, 0, Integer.MAX_VALUE),
  /** Seconds idle before the first keep-alive probe (TCP_KEEPALIVE on macOS). */
  TCP_KEEPIDLE(9, 1, Integer.MAX_VALUE),
  /** Seconds between keep-alive probes. */
  TCP_KEEPINTVL(10, 1, Integer.MAX_VALUE),
  /** Unanswered keep-alive probes before the connection is dropped. */
  TCP_KEEPCNT(11, 1, Integer.MAX_VALUE),
  /** Bytes not yet sent above which the socket does not report writable. */
  TCP_NOTSENT_LOWAT(12, 1, Integer.MAX_VALUE),
  /** On a listener, before listen: the TCP Fast Open queue length (Linux; on/off elsewhere). */
  TCP_FASTOPEN(13, 1, Integer.MAX_VALUE),
  /** Send only full segments until cleared (TCP_NOPUSH on macOS and FreeBSD). */
  TCP_CORK(14, 0, 1),
  /** Acknowledge at once rather than delayed (Linux; the kernel may leave this mode). */
  TCP_QUICKACK(15, 0, 1),
  /** An IPv6 socket accepts no IPv4-mapped peers; before bind; IPv6 sockets only. */
  IPV6_V6ONLY(16, 0, 1),
  /** The traffic class byte: IP_TOS on an IPv4 socket, IPV6_TCLASS on an IPv6 one. */
  TRAFFIC_CLASS(17, 0, 255),
  /** Urgent (out-of-band) data stays in the normal stream (Pekko's Tcp.SO.OOBInline). */
  OOB_INLINE(18, 0, 1),
  /**
   * Before bind: listeners sharing a port with it get its incoming connections spread over
   * them by the kernel (SO_REUSEPORT on Linux, SO_REUSEPORT_LB on FreeBSD); absent where no
   * such balancing exists (macOS, Windows). Listener sharding, not a Bind option.
   */
  REUSE_PORT_LB(19, 0, 1);

  final int nativeId;
  private final int min;
  private final int max;

  SocketOption(int nativeId, int min, int max) {
    this.nativeId = nativeId;
    this.min = min;
    this.max = max;
  }

  /**
   * {@code value}, when this option takes it (booleans 0/1, sizes, times and counts at
   * least 1, except TCP_USER_TIMEOUT where 0 is the kernel's default, the traffic class
   * 0..255).
   *
   * @param what how the caller names the value, for the message
   * @throws IllegalArgumentException naming {@code what} and the range otherwise
   */
  public int checked(long value, String what) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " must be " + min + ".." + max + " (" + this + "), was " + value);
    }
    return (int) value;
  }
}
