package io.pekkokq.sys;

/** The socket options the library sets, by their portable ids (KQ_SO_* in kq.h). */
public enum SocketOption {
  REUSE_ADDRESS(1),
  REUSE_PORT(2),
  TCP_NO_DELAY(3),
  KEEP_ALIVE(4),
  RECEIVE_BUFFER_SIZE(5),
  SEND_BUFFER_SIZE(6),
  /** Seconds to linger on close, or -1 for off; 0 makes close send a reset. */
  LINGER(7);

  final int nativeId;

  SocketOption(int nativeId) {
    this.nativeId = nativeId;
  }
}
