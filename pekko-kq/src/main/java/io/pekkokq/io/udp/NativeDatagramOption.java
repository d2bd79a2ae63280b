package io.pekkokq.io.udp;

import io.pekkokq.sys.DatagramSocket;
import java.io.IOException;

/**
 * A socket option that knows how to apply itself to a native UDP socket once bound
 * ({@code KqUdpSO.joinGroup}). An option may implement Pekko's {@code
 * Inet.SocketOptionV2} as well, so that the same option works on Pekko's own Udp.
 */
public interface NativeDatagramOption {
  void afterBind(DatagramSocket socket) throws IOException;
}
