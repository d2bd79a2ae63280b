package io.pekkokq.stream.impl;

import io.pekkokq.socket.SocketOptions;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.StreamTcpException;

/** INTERNAL API. Small helpers shared by the stream stages. */
public final class StreamSupport {
  private StreamSupport() {}

  /** The configured stream write buffer, as Pekko's Tcp stages use it. */
  public static int defaultWriteBufferSize(ActorSystem system) {
    long v = system.settings().config().getBytes("pekko.stream.materializer.io.tcp.write-buffer-size");
    return (int) Math.max(1, Math.min(v, 1 << 24));
  }

  public static scala.collection.immutable.Iterable<Inet.SocketOption> scalaOptions(
      Iterable<Inet.SocketOption> options) {
    if (options == null) return scala.collection.immutable.List$.MODULE$.empty();
    return scala.jdk.javaapi.CollectionConverters.asScala(options).toList();
  }

  /** TCP_NODELAY (Pekko's default) and the user's after-connect options. */
  public static void afterConnect(Socket socket, Iterable<Inet.SocketOption> options, LoggingAdapter log)
      throws IOException {
    try {
      socket.setOption(SocketOption.TCP_NO_DELAY, true);
    } catch (IOException e) {
      log.debug("could not enable TCP_NODELAY: {}", e.getMessage());
    }
    SocketOptions.afterConnect(socket, scalaOptions(options));
  }

  public static Duration orNull(Optional<Duration> d) {
    if (d == null || d.isEmpty()) return null;
    Duration v = d.get();
    return v.isZero() || v.isNegative() ? null : v;
  }

  /** A StreamTcpException whose cause is {@code cause}. */
  public static StreamTcpException tcpException(String message, Throwable cause) {
    StreamTcpException e = new StreamTcpException(message);
    if (cause != null) e.initCause(cause);
    return e;
  }
}
