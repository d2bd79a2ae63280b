package io.pekkokq.http.javadsl;

import io.pekkokq.http.impl.PekkoHttpShapes;
import io.pekkokq.stream.javadsl.KqTcp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * Pekko HTTP's client on pekko-kq sockets: a {@link ClientTransport} that opens each
 * connection with {@link KqTcp#outgoingConnection}, so every client API that takes
 * {@code ClientConnectionSettings} (singleRequest and the host connection pools through
 * {@code ConnectionPoolSettings.withConnectionSettings}, {@code outgoingConnection},
 * {@code connectionTo}) runs on the native poller. The one-line change:
 *
 * <pre>{@code
 * ClientConnectionSettings connection =
 *     ClientConnectionSettings.create(system).withTransport(KqClientTransport.tcp());
 * ConnectionPoolSettings pool = ConnectionPoolSettings.create(system).withConnectionSettings(connection);
 * Http.get(system).singleRequest(request, Http.get(system).defaultClientHttpsContext(), pool, system.log());
 * }</pre>
 *
 * Same as Pekko HTTP's own TCP transport: the host is resolved anew for every
 * connection (so a pool follows DNS changes), with the settings' local address, socket
 * options, {@code connecting-timeout} and {@code idle-timeout}, half-close on. TLS is
 * Pekko HTTP's, above the transport. Scala code passes {@code
 * ClientTransport.toScala(KqClientTransport.tcp())}.
 *
 * <p>A Unix-domain-socket transport (to reach a server such as Docker's API) waits for
 * pekko-kq's Unix socket streams; see docs/pekko-http.md.
 */
public final class KqClientTransport extends ClientTransport {
  private static final KqClientTransport TCP = new KqClientTransport();

  private KqClientTransport() {}

  /** The TCP transport (stateless: the actor system comes with each connection). */
  public static ClientTransport tcp() {
    return TCP;
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectTo(
      String host, int port, ClientConnectionSettings settings, ActorSystem system) {
    scala.concurrent.duration.Duration idle = settings.getIdleTimeout();
    Optional<Duration> idleTimeout =
        idle.isFinite() ? Optional.of(Duration.ofNanos(idle.toNanos())) : Optional.empty();
    return KqTcp.get(system)
        .outgoingConnection(
            InetSocketAddress.createUnresolved(host, port), // resolved per connection, as Pekko's
            settings.getLocalAddress(),
            settings.getSocketOptions(),
            true,
            Optional.of(Duration.ofNanos(settings.getConnectingTimeout().toNanos())),
            idleTimeout)
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
