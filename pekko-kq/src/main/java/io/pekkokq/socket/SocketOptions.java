package io.pekkokq.socket;

import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;

/**
 * INTERNAL API. Applies Pekko's socket options to a native socket, at the moments Pekko
 * applies them: buffer sizes and address reuse before bind/connect, the rest after
 * connect. Pekko's option objects act on {@code java.net.Socket} views that a native
 * descriptor does not have, so each known option is translated here; an option of a
 * class this layer does not know is logged and skipped (docs/migrating-from-pekko-tcp.md).
 */
public final class SocketOptions {
  // Pekko's option classes are nested in Scala objects, which Java cannot name; take the
  // classes from Pekko's Java factories and read the single field through scala.Product.
  private static final Class<?> REUSE_ADDRESS = TcpSO.reuseAddress(true).getClass();
  private static final Class<?> RECEIVE_BUFFER_SIZE = TcpSO.receiveBufferSize(1).getClass();
  private static final Class<?> SEND_BUFFER_SIZE = TcpSO.sendBufferSize(1).getClass();
  private static final Class<?> KEEP_ALIVE = TcpSO.keepAlive(true).getClass();
  private static final Class<?> TCP_NO_DELAY = TcpSO.tcpNoDelay(true).getClass();
  private static final Class<?> TRAFFIC_CLASS = TcpSO.trafficClass(0).getClass();

  private SocketOptions() {}

  /** Options applied before bind (listeners) or before connect (clients). */
  public static void beforeBindOrConnect(
      Socket socket, scala.collection.immutable.Iterable<Inet.SocketOption> options, LoggingAdapter log)
      throws IOException {
    for (Inet.SocketOption o : scala.jdk.javaapi.CollectionConverters.asJava(options)) {
      if (REUSE_ADDRESS.isInstance(o)) {
        socket.setOption(SocketOption.REUSE_ADDRESS, (Boolean) field(o));
      } else if (RECEIVE_BUFFER_SIZE.isInstance(o)) {
        socket.setOption(SocketOption.RECEIVE_BUFFER_SIZE, (Integer) field(o));
      } else if (TRAFFIC_CLASS.isInstance(o)) {
        // also here, not only after connect as Pekko does: the SYN (a listener's SYN-ACK)
        // carries it too, and a socket that refuses it fails the Bind or Connect
        socket.setOption(SocketOption.TRAFFIC_CLASS, (Integer) field(o));
      } else if (o instanceof NativeSocketOption) {
        ((NativeSocketOption) o).applyBeforeBindOrConnect(socket);
      } else if (!isAppliedAfterConnect(o)) {
        log.warning("pekko-kq does not support socket option {} on native sockets; ignored", o);
      }
    }
  }

  /**
   * Every connected socket, incoming or outgoing, of either API: TCP_NODELAY on (Pekko's
   * default; a socket of a family without it, such as AF_UNIX, is left as it is), then the
   * user's after-connect options.
   */
  public static void configureConnected(
      Socket socket, scala.collection.immutable.Iterable<Inet.SocketOption> options, LoggingAdapter log)
      throws IOException {
    try {
      socket.setOption(SocketOption.TCP_NO_DELAY, true);
    } catch (IOException e) {
      log.debug("could not enable TCP_NODELAY on {}: {}", socket, e.getMessage());
    }
    afterConnect(socket, options);
  }

  /** Pekko's options as Scala wants them; null is no options. */
  public static scala.collection.immutable.Iterable<Inet.SocketOption> scala(Iterable<Inet.SocketOption> options) {
    if (options == null) return scala.collection.immutable.List$.MODULE$.empty();
    return scala.jdk.javaapi.CollectionConverters.asScala(options).toList();
  }

  /** Options applied to a connected socket (incoming or outgoing). */
  private static void afterConnect(
      Socket socket, scala.collection.immutable.Iterable<Inet.SocketOption> options) throws IOException {
    for (Inet.SocketOption o : scala.jdk.javaapi.CollectionConverters.asJava(options)) {
      if (SEND_BUFFER_SIZE.isInstance(o)) {
        socket.setOption(SocketOption.SEND_BUFFER_SIZE, (Integer) field(o));
      } else if (KEEP_ALIVE.isInstance(o)) {
        socket.setOption(SocketOption.KEEP_ALIVE, (Boolean) field(o));
      } else if (TCP_NO_DELAY.isInstance(o)) {
        socket.setOption(SocketOption.TCP_NO_DELAY, (Boolean) field(o));
      } else if (TRAFFIC_CLASS.isInstance(o)) {
        socket.setOption(SocketOption.TRAFFIC_CLASS, (Integer) field(o));
      } else if (o instanceof NativeSocketOption) {
        ((NativeSocketOption) o).applyAfterConnect(socket);
      }
    }
  }

  private static boolean isAppliedAfterConnect(Inet.SocketOption o) {
    return SEND_BUFFER_SIZE.isInstance(o) || KEEP_ALIVE.isInstance(o) || TCP_NO_DELAY.isInstance(o);
  }

  private static Object field(Inet.SocketOption option) {
    return ((scala.Product) option).productElement(0);
  }
}
