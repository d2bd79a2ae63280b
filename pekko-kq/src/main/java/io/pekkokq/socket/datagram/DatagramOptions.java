package io.pekkokq.socket.datagram;

import io.pekkokq.sys.DatagramOption;
import io.pekkokq.sys.DatagramSocket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.UdpSO;

/**
 * INTERNAL API. Applies Pekko's UDP socket options to a native UDP socket, when Pekko
 * applies them: every {@code UdpSO} option before bind, {@link NativeDatagramOption}s
 * before bind and after (membership of
 * a multicast group). Pekko's option objects act on {@code
 * java.net.DatagramSocket} views that a native descriptor does not have, so each known
 * option is translated here; a {@code DatagramChannelCreator} is skipped (the family comes
 * from the address) and any other option is logged and skipped (docs/udp.md).
 */
public final class DatagramOptions {
  // Pekko's option classes are nested in Scala objects, which Java cannot name: take the
  // classes from Pekko's Java factories and read the single field through scala.Product.
  private static final Class<?> BROADCAST = UdpSO.broadcast(true).getClass();
  private static final Class<?> REUSE_ADDRESS = UdpSO.reuseAddress(true).getClass();
  private static final Class<?> RECEIVE_BUFFER_SIZE = UdpSO.receiveBufferSize(1).getClass();
  private static final Class<?> SEND_BUFFER_SIZE = UdpSO.sendBufferSize(1).getClass();
  private static final Class<?> TRAFFIC_CLASS = UdpSO.trafficClass(0).getClass();

  private DatagramOptions() {}

  /** The options applied to a fresh socket, before bind (or before connect). */
  public static void beforeBind(
      DatagramSocket socket, Iterable<Inet.SocketOption> options, LoggingAdapter log) throws IOException {
    for (Inet.SocketOption o : options) {
      if (BROADCAST.isInstance(o)) {
        socket.setOption(DatagramOption.BROADCAST, flag(o));
      } else if (REUSE_ADDRESS.isInstance(o)) {
        socket.setOption(SocketOption.REUSE_ADDRESS, flag(o));
      } else if (RECEIVE_BUFFER_SIZE.isInstance(o)) {
        socket.setOption(SocketOption.RECEIVE_BUFFER_SIZE, (Integer) field(o));
      } else if (SEND_BUFFER_SIZE.isInstance(o)) {
        socket.setOption(SocketOption.SEND_BUFFER_SIZE, (Integer) field(o));
      } else if (TRAFFIC_CLASS.isInstance(o)) {
        socket.setOption(DatagramOption.TRAFFIC_CLASS, (Integer) field(o));
      } else if (o instanceof NativeDatagramOption) {
        ((NativeDatagramOption) o).beforeBind(socket);
      } else if (!(o instanceof Inet.DatagramChannelCreator)) {
        log.warning("pekko-kq does not support socket option {} on native UDP sockets; ignored", o);
      }
    }
  }

  /** The options applied once the socket is bound (multicast membership). */
  public static void afterBind(DatagramSocket socket, Iterable<Inet.SocketOption> options) throws IOException {
    for (Inet.SocketOption o : options) {
      if (o instanceof NativeDatagramOption) ((NativeDatagramOption) o).afterBind(socket);
    }
  }

  private static int flag(Inet.SocketOption option) {
    return (Boolean) field(option) ? 1 : 0;
  }

  private static Object field(Inet.SocketOption option) {
    return ((scala.Product) option).productElement(0);
  }
}
