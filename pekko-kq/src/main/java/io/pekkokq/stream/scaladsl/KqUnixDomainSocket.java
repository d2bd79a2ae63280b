package io.pekkokq.stream.scaladsl;

import io.pekkokq.sys.PeerCredentials;
import io.pekkokq.sys.UnixAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.stream.scaladsl.Keep;
import org.apache.pekko.stream.scaladsl.Sink;
import org.apache.pekko.stream.scaladsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.FutureConverters;
import scala.jdk.javaapi.OptionConverters;
import scala.runtime.BoxedUnit;

/**
 * The Scala twin of {@link io.pekkokq.stream.javadsl.KqUnixDomainSocket}: Unix domain
 * stream sockets on the native poller, with the shapes of pekko-connectors' scaladsl
 * {@code UnixDomainSocket} (Scala {@code Source}/{@code Flow}, {@code Future}, {@code
 * Option}, {@code Duration.Inf} for no connect timeout):
 *
 * <pre>{@code
 * KqUnixDomainSocket(system).bindAndHandle(Flow[ByteString], Paths.get("/run/app/echo.sock"))
 * }</pre>
 *
 * Written in Java over the javadsl extension: the same stages, defaults (server {@code
 * halfClose = false}, client {@code halfClose = true}, backlog 128), socket-file rules and
 * argument checks; the connection objects wrap the javadsl's and hand out Scala types.
 * Scala's default arguments become overloads, an implicit {@code Materializer} an
 * explicit last parameter.
 */
public final class KqUnixDomainSocket implements Extension {
  /** The extension id. */
  public static final Id ID = new Id();

  private final io.pekkokq.stream.javadsl.KqUnixDomainSocket javadsl;

  private KqUnixDomainSocket(ExtendedActorSystem system) {
    this.javadsl = io.pekkokq.stream.javadsl.KqUnixDomainSocket.get(system);
  }

  /**
   * The extension of this actor system ({@code KqUnixDomainSocket(system)} in Scala).
   *
   * @throws io.pekkokq.sys.NativeUnavailableException without the native library, as the
   *     javadsl's
   */
  public static KqUnixDomainSocket get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The extension of this actor system. */
  public static KqUnixDomainSocket get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /** For Scala: {@code KqUnixDomainSocket(system)}. */
  public static KqUnixDomainSocket apply(ClassicActorSystemProvider system) {
    return get(system);
  }

  /** The {@code ExtensionId}. */
  public static final class Id extends AbstractExtensionId<KqUnixDomainSocket> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public KqUnixDomainSocket createExtension(ExtendedActorSystem system) {
      return new KqUnixDomainSocket(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  // ---- server ----------------------------------------------------------------------

  /** See {@link io.pekkokq.stream.javadsl.KqUnixDomainSocket#bind(Path, int, boolean)}. */
  public Source<IncomingConnection, Future<ServerBinding>> bind(Path path, int backlog, boolean halfClose) {
    return incoming(javadsl.bind(path, backlog, halfClose));
  }

  /** {@code bind} with backlog 128 and no half-close. */
  public Source<IncomingConnection, Future<ServerBinding>> bind(Path path) {
    return bind(path, io.pekkokq.stream.javadsl.KqUnixDomainSocket.DEFAULT_BACKLOG, false);
  }

  /** As {@code bind(Path, ...)}, for any Unix name (Linux abstract names too). */
  public Source<IncomingConnection, Future<ServerBinding>> bind(UnixAddress address, int backlog, boolean halfClose) {
    return incoming(javadsl.bind(address, backlog, halfClose));
  }

  private static Source<IncomingConnection, Future<ServerBinding>> incoming(
      org.apache.pekko.stream.javadsl.Source<
              io.pekkokq.stream.javadsl.KqUnixDomainSocket.IncomingConnection,
              java.util.concurrent.CompletionStage<io.pekkokq.stream.javadsl.KqUnixDomainSocket.ServerBinding>>
          source) {
    return source
        .map(IncomingConnection::new)
        .mapMaterializedValue(bound -> FutureConverters.asScala(bound.thenApply(ServerBinding::new)))
        .asScala();
  }

  /** Each connection handled by a fresh materialization of {@code handler}. */
  public Future<ServerBinding> bindAndHandle(
      Flow<ByteString, ByteString, ?> handler, Path path, int backlog, boolean halfClose, Materializer materializer) {
    return bind(path, backlog, halfClose)
        .to(Sink.<IncomingConnection>foreach(connection -> {
          connection.handleWith(handler, materializer);
          return BoxedUnit.UNIT;
        }))
        .run(materializer);
  }

  /** {@code bindAndHandle} with backlog 128 and no half-close. */
  public Future<ServerBinding> bindAndHandle(Flow<ByteString, ByteString, ?> handler, Path path, Materializer materializer) {
    return bindAndHandle(handler, path, io.pekkokq.stream.javadsl.KqUnixDomainSocket.DEFAULT_BACKLOG, false, materializer);
  }

  // ---- client ----------------------------------------------------------------------

  /**
   * See {@link io.pekkokq.stream.javadsl.KqUnixDomainSocket#outgoingConnection(
   * UnixDomainSocketAddress, Optional, boolean, Optional)}; {@code Duration.Inf} for no
   * connect timeout.
   */
  public Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoingConnection(
      UnixDomainSocketAddress remoteAddress,
      Option<UnixDomainSocketAddress> localAddress,
      boolean halfClose,
      Duration connectTimeout) {
    Optional<UnixDomainSocketAddress> local = localAddress == null ? null : OptionConverters.toJava(localAddress);
    return outgoing(javadsl.outgoingConnection(remoteAddress, local, halfClose, toJava(connectTimeout)));
  }

  /** A client flow with the defaults (unnamed, half-close, no connect timeout). */
  public Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoingConnection(Path path) {
    return outgoing(javadsl.outgoingConnection(path));
  }

  /** As the {@code UnixDomainSocketAddress} form, for any Unix name (Linux abstract names too). */
  public Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoingConnection(
      UnixAddress remoteAddress, Option<UnixAddress> localAddress, boolean halfClose, Duration connectTimeout) {
    Optional<UnixAddress> local = localAddress == null ? null : OptionConverters.toJava(localAddress);
    return outgoing(javadsl.outgoingConnection(remoteAddress, local, halfClose, toJava(connectTimeout)));
  }

  private static Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoing(
      org.apache.pekko.stream.javadsl.Flow<
              ByteString, ByteString,
              java.util.concurrent.CompletionStage<io.pekkokq.stream.javadsl.KqUnixDomainSocket.OutgoingConnection>>
          flow) {
    return flow
        .mapMaterializedValue(connected -> FutureConverters.asScala(connected.thenApply(OutgoingConnection::new)))
        .asScala();
  }

  /** Duration.Inf (or any infinite duration): none; null stays null for the javadsl to refuse by name. */
  private static Optional<java.time.Duration> toJava(Duration timeout) {
    if (timeout == null) return null;
    return timeout.isFinite() ? Optional.of(java.time.Duration.ofNanos(timeout.toNanos())) : Optional.empty();
  }

  // ---- the connection objects: the javadsl's, seen with Scala types ----------------------

  /** A bound listening socket. */
  public static final class ServerBinding {
    private final io.pekkokq.stream.javadsl.KqUnixDomainSocket.ServerBinding binding;

    ServerBinding(io.pekkokq.stream.javadsl.KqUnixDomainSocket.ServerBinding binding) {
      this.binding = binding;
    }

    /** The bound path (UnsupportedOperationException for a Linux abstract name: see {@link #localName()}). */
    public UnixDomainSocketAddress localAddress() {
      return binding.localAddress();
    }

    public UnixAddress localName() {
      return binding.localName();
    }

    /** Closes the listening socket (and removes its file, by default); accepted connections stay open. */
    public Future<Done> unbind() {
      return FutureConverters.asScala(binding.unbind());
    }

    /** Completes when the listener is closed. */
    public Future<Done> whenUnbound() {
      return FutureConverters.asScala(binding.whenUnbound());
    }

    @Override
    public String toString() {
      return binding.toString();
    }
  }

  /** An accepted connection: its flow may be materialized once. */
  public static final class IncomingConnection {
    private final io.pekkokq.stream.javadsl.KqUnixDomainSocket.IncomingConnection connection;

    IncomingConnection(io.pekkokq.stream.javadsl.KqUnixDomainSocket.IncomingConnection connection) {
      this.connection = connection;
    }

    public UnixDomainSocketAddress localAddress() {
      return connection.localAddress();
    }

    public UnixDomainSocketAddress remoteAddress() {
      return connection.remoteAddress();
    }

    public UnixAddress localName() {
      return connection.localName();
    }

    public UnixAddress remoteName() {
      return connection.remoteName();
    }

    /** Who connected, as the kernel recorded it at connect; None when already gone when accepted. */
    public Option<PeerCredentials> peerCredentials() {
      return OptionConverters.toScala(connection.peerCredentials());
    }

    /** The connection as a flow: bytes from the client out, bytes to the client in. */
    public Flow<ByteString, ByteString, NotUsed> flow() {
      return connection.flow().asScala();
    }

    /** Materializes {@link #flow()} joined with {@code handler}; returns the handler's value. */
    public <M> M handleWith(Flow<ByteString, ByteString, M> handler, Materializer materializer) {
      return flow().joinMat(handler, Keep.right()).run(materializer);
    }

    @Override
    public String toString() {
      return connection.toString();
    }
  }

  /** A client connection, once connected. */
  public static final class OutgoingConnection {
    private final io.pekkokq.stream.javadsl.KqUnixDomainSocket.OutgoingConnection connection;

    OutgoingConnection(io.pekkokq.stream.javadsl.KqUnixDomainSocket.OutgoingConnection connection) {
      this.connection = connection;
    }

    public UnixDomainSocketAddress remoteAddress() {
      return connection.remoteAddress();
    }

    public UnixDomainSocketAddress localAddress() {
      return connection.localAddress();
    }

    public UnixAddress remoteName() {
      return connection.remoteName();
    }

    public UnixAddress localName() {
      return connection.localName();
    }

    /** The listening process's credentials, as the kernel recorded them at connect. */
    public Option<PeerCredentials> peerCredentials() {
      return OptionConverters.toScala(connection.peerCredentials());
    }

    @Override
    public String toString() {
      return connection.toString();
    }
  }
}
