package io.pekkokq.stream;

import io.pekkokq.stream.javadsl.KqTcp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.javadsl.Tcp.IncomingConnection;
import org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.util.ByteString;

/**
 * The Streams TCP under test: Pekko's own javadsl {@code Tcp} ("pekko") or {@link KqTcp}
 * ("kq"). Both are called with exactly the same arguments; only the extension differs.
 * Select with {@code -Dkq.parity.drivers=kq} (default: both).
 */
abstract class StreamTcpDriver {
  final String name;

  private StreamTcpDriver(String name) {
    this.name = name;
  }

  static Stream<String> drivers() {
    String spec = System.getProperty("kq.parity.drivers");
    if (spec == null || spec.isBlank()) spec = System.getenv("KQ_PARITY_DRIVERS");
    if (spec == null || spec.isBlank()) spec = "pekko,kq";
    return Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty());
  }

  static StreamTcpDriver of(String name, ActorSystem system) {
    switch (name) {
      case "pekko":
        Tcp tcp = Tcp.get(system);
        return new StreamTcpDriver(name) {
          @Override
          Source<IncomingConnection, CompletionStage<ServerBinding>> bind(
              String host, int port, boolean halfClose, Optional<Duration> idleTimeout) {
            return tcp.bind(host, port, 100, Collections.emptyList(), halfClose, idleTimeout);
          }

          @Override
          Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(
              InetSocketAddress remote, boolean halfClose, Optional<Duration> connectTimeout,
              Optional<Duration> idleTimeout) {
            return tcp.outgoingConnection(
                remote, Optional.empty(), Collections.emptyList(), halfClose, connectTimeout, idleTimeout);
          }

          @Override
          Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(String host, int port) {
            return tcp.outgoingConnection(host, port);
          }

          @Override
          Source<IncomingConnection, CompletionStage<ServerBinding>> bindWithTls(
              String host, int port, Supplier<SSLEngine> engine) {
            return tcp.bindWithTls(host, port, engine);
          }

          @Override
          Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectWithTls(
              InetSocketAddress remote, Supplier<SSLEngine> engine) {
            return tcp.outgoingConnectionWithTls(remote, engine);
          }
        };
      case "kq":
        KqTcp kq = KqTcp.get(system);
        return new StreamTcpDriver(name) {
          @Override
          Source<IncomingConnection, CompletionStage<ServerBinding>> bind(
              String host, int port, boolean halfClose, Optional<Duration> idleTimeout) {
            return kq.bind(host, port, 100, Collections.emptyList(), halfClose, idleTimeout);
          }

          @Override
          Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(
              InetSocketAddress remote, boolean halfClose, Optional<Duration> connectTimeout,
              Optional<Duration> idleTimeout) {
            return kq.outgoingConnection(
                remote, Optional.empty(), Collections.emptyList(), halfClose, connectTimeout, idleTimeout);
          }

          @Override
          Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(String host, int port) {
            return kq.outgoingConnection(host, port);
          }

          @Override
          Source<IncomingConnection, CompletionStage<ServerBinding>> bindWithTls(
              String host, int port, Supplier<SSLEngine> engine) {
            return kq.bindWithTls(host, port, engine);
          }

          @Override
          Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectWithTls(
              InetSocketAddress remote, Supplier<SSLEngine> engine) {
            return kq.outgoingConnectionWithTls(remote, engine);
          }
        };
      default:
        throw new IllegalArgumentException("unknown driver " + name);
    }
  }

  abstract Source<IncomingConnection, CompletionStage<ServerBinding>> bind(
      String host, int port, boolean halfClose, Optional<Duration> idleTimeout);

  Source<IncomingConnection, CompletionStage<ServerBinding>> bind(String host, int port) {
    return bind(host, port, false, Optional.empty());
  }

  abstract Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(
      InetSocketAddress remote, boolean halfClose, Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout);

  abstract Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(String host, int port);

  Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connect(InetSocketAddress remote) {
    return connect(remote, true, Optional.empty(), Optional.empty());
  }

  abstract Source<IncomingConnection, CompletionStage<ServerBinding>> bindWithTls(
      String host, int port, Supplier<SSLEngine> engine);

  abstract Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectWithTls(
      InetSocketAddress remote, Supplier<SSLEngine> engine);

  @Override
  public String toString() {
    return name;
  }
}
