package io.pekkokq.http.javadsl;

import io.pekkokq.http.impl.PekkoHttpShapes;
import io.pekkokq.http.impl.ServerEndpoint;
import io.pekkokq.stream.javadsl.KqTcp;
import io.pekkokq.stream.javadsl.KqUnixDomainSocket;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Pekko HTTP's client on pekko-kq sockets: {@link ClientTransport}s that every client API
 * taking {@code ClientConnectionSettings} uses (singleRequest and the host connection pools
 * through {@code ConnectionPoolSettings.withConnectionSettings}, {@code
 * outgoingConnection}, {@code connectionTo}). The one-line change:
 *
 * <pre>{@code
 * ClientConnectionSettings connection =
 *     ClientConnectionSettings.create(system).withTransport(KqClientTransport.tcp());
 * ConnectionPoolSettings pool = ConnectionPoolSettings.create(system).withConnectionSettings(connection);
 * Http.get(system).singleRequest(request, Http.get(system).defaultClientHttpsContext(), pool, system.log());
 * }</pre>
 *
 * <ul>
 *   <li>{@link #tcp()}: as Pekko HTTP's own TCP transport, through {@link
 *       KqTcp#outgoingConnection}: the host is resolved anew for every connection (so a pool
 *       follows DNS changes) through Pekko's {@code Dns} extension, with the settings'
 *       local address, socket options, {@code connecting-timeout} and {@code idle-timeout},
 *       half-close on.
 *   <li>{@link #unixDomainSocket(Path)}: every connection goes to one Unix domain socket,
 *       whatever host and port the request names, as Docker's API is reached ({@code curl
 *       --unix-socket}); through {@link KqUnixDomainSocket#outgoingConnection}, with the
 *       settings' {@code connecting-timeout} and {@code idle-timeout}. The request's host
 *       still goes out in its {@code Host} header.
 * </ul>
 *
 * TLS is Pekko HTTP's, above the transport ({@code https://} URIs work on either).
 * Scala code passes {@code ClientTransport.toScala(KqClientTransport.tcp())}.
 */
public final class KqClientTransport {
  private static final ClientTransport TCP = new Tcp();

  private KqClientTransport() {}

  /** The TCP transport (stateless: the actor system comes with each connection). */
  public static ClientTransport tcp() {
    return TCP;
  }

  /**
   * A transport whose every connection goes to the Unix domain socket at {@code socket}.
   * Needs the native library: without it each connection fails with {@code
   * NativeUnavailableException}. The settings' local address and socket options (TCP's) do
   * not apply. The {@code OutgoingConnection} a connection materializes names the socket as
   * an unresolved address, the path as host and port 0.
   */
  public static ClientTransport unixDomainSocket(Path socket) {
    if (socket == null) throw new IllegalArgumentException("unixDomainSocket needs a path, got null");
    return new Unix(UnixDomainSocketAddress.of(socket));
  }

  /** {@link #unixDomainSocket(Path)} by the JDK's address. */
  public static ClientTransport unixDomainSocket(UnixDomainSocketAddress socket) {
    if (socket == null) throw new IllegalArgumentException("unixDomainSocket needs an address, got null");
    return new Unix(socket);
  }

  private static Optional<Duration> idleTimeout(ClientConnectionSettings settings) {
    scala.concurrent.duration.Duration idle = settings.getIdleTimeout();
    return idle.isFinite() ? Optional.of(Duration.ofNanos(idle.toNanos())) : Optional.empty();
  }

  private static Optional<Duration> connectingTimeout(ClientConnectionSettings settings) {
    return Optional.of(Duration.ofNanos(settings.getConnectingTimeout().toNanos()));
  }

  private static final class Tcp extends ClientTransport {
    @Override
    public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectTo(
        String host, int port, ClientConnectionSettings settings, ActorSystem system) {
      return KqTcp.get(system)
          .outgoingConnection(
              InetSocketAddress.createUnresolved(host, port), // resolved per connection, as Pekko's
              settings.getLocalAddress(),
              settings.getSocketOptions(),
              true,
              connectingTimeout(settings),
              idleTimeout(settings))
          .mapMaterializedValue(
              connected ->
                  connected.thenApply(
                      c -> PekkoHttpShapes.outgoingConnection(c.localAddress(), c.remoteAddress())));
    }

    @Override
    public String toString() {
      return "KqClientTransport.tcp";
    }
  }

  private static final class Unix extends ClientTransport {
    private final UnixDomainSocketAddress socket;
    private final InetSocketAddress socketName;

    Unix(UnixDomainSocketAddress socket) {
      this.socket = socket;
      this.socketName = ServerEndpoint.unixName(socket.getPath().toString());
    }

    @Override
    public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectTo(
        String host, int port, ClientConnectionSettings settings, ActorSystem system) {
      KqUnixDomainSocket uds;
      try {
        uds = KqUnixDomainSocket.get(system);
      } catch (RuntimeException unavailable) {
        return Flow.fromSinkAndSourceMat(
            Sink.<ByteString>cancelled(),
            Source.<ByteString>failed(unavailable),
            (in, out) -> CompletableFuture.<OutgoingConnection>failedFuture(unavailable));
      }
      Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connection =
          uds.outgoingConnection(socket, Optional.empty(), true, connectingTimeout(settings))
              .mapMaterializedValue(
                  connected ->
                      connected.thenApply(
                          c -> PekkoHttpShapes.outgoingConnection(ServerEndpoint.unixName(""), socketName)));
      Optional<Duration> idle = idleTimeout(settings);
      if (idle.isEmpty()) return connection;
      return BidiFlow.<ByteString, ByteString>bidirectionalIdleTimeout(idle.get())
          .join(connection, Keep.<NotUsed, CompletionStage<OutgoingConnection>>right());
    }

    @Override
    public String toString() {
      return "KqClientTransport.unixDomainSocket(" + socket.getPath() + ")";
    }
  }
}
