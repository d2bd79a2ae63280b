package io.pekkokq.socket.datagram;

import io.pekkokq.sys.DatagramSocket;
import java.io.IOException;

/**
 * A socket option that knows how to apply itself to a native UDP socket: before bind
 * ({@code KqSO.reusePort}) or once bound ({@code KqUdpSO.joinGroup}). An option may
 * implement Pekko's {@code Inet.SocketOptionV2} as well, so that the same option works
 * on Pekko's own Udp.
 */
public interface NativeDatagramOption {
  default void beforeBind(DatagramSocket socket) throws IOException {}

  default void afterBind(DatagramSocket socket) throws IOException {}
}
