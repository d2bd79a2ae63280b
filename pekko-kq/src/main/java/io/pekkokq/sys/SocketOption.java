package io.pekkokq.sys;

/**
 * The socket options the library sets, by their portable ids (KQ_SO_*, KQ_TCP_*, KQ_IP*
 * in kq.h). An option the platform's kernel lacks fails {@link Socket#setOption} with an
 * {@link UnsupportedSocketOptionException} naming it.
 */
public enum SocketOption {
  REUSE_ADDRESS(1),
  REUSE_PORT(2),
  TCP_NO_DELAY(3),
  KEEP_ALIVE(4),
  RECEIVE_BUFFER_SIZE(5),
  SEND_BUFFER_SIZE(6),
  /** Seconds to linger on close, or -1 for off; 0 makes close send a reset. */
  LINGER(7),
  /** Milliseconds unacknowledged data may wait before the connection is dropped (Linux). */
  TCP_USER_TIMEOUT(8),
  /** Seconds idle before the first keep-alive probe (TCP_KEEPALIVE on macOS). */
  TCP_KEEPIDLE(9),
  /** Seconds between keep-alive probes. */
  TCP_KEEPINTVL(10),
  /** Unanswered keep-alive probes before the connection is dropped. */
  TCP_KEEPCNT(11),
  /** Bytes not yet sent above which the socket does not report writable. */
  TCP_NOTSENT_LOWAT(12),
  /** On a listener, before listen: the TCP Fast Open queue length (Linux; on/off elsewhere). */
  TCP_FASTOPEN(13),
  /** Send only full segments until cleared (TCP_NOPUSH on macOS and FreeBSD). */
  TCP_CORK(14),
  /** Acknowledge at once rather than delayed (Linux; the kernel may leave this mode). */
  TCP_QUICKACK(15),
  /** An IPv6 socket accepts no IPv4-mapped peers; before bind; IPv6 sockets only. */
  IPV6_V6ONLY(16),
  /** The traffic class byte: IP_TOS on an IPv4 socket, IPV6_TCLASS on an IPv6 one. */
  TRAFFIC_CLASS(17);

  final int nativeId;

  SocketOption(int nativeId) {
    this.nativeId = nativeId;
  }
}
