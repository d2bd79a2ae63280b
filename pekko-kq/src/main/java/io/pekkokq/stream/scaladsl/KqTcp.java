package io.pekkokq.stream.scaladsl;

import io.pekkokq.stream.impl.PekkoTcpShapes;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.ClosedShape;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.stream.scaladsl.Keep;
import org.apache.pekko.stream.scaladsl.Sink;
import org.apache.pekko.stream.scaladsl.Source;
import org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection;
import org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection;
import org.apache.pekko.stream.scaladsl.Tcp.ServerBinding;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.Duration;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * The Scala twin of {@link io.pekkokq.stream.javadsl.KqTcp}: Pekko Streams TCP on the
 * native poller with the shapes of {@code org.apache.pekko.stream.scaladsl.Tcp} (Scala
 * {@code Source}/{@code Flow}, {@code Future}, {@code Option}, {@code Duration.Inf} for
 * none, Pekko's scaladsl {@code IncomingConnection}, {@code ServerBinding}, {@code
 * OutgoingConnection}), so Scala code, Pekko HTTP's own included, needs no conversions:
 *
 * <pre>{@code
 * KqTcp(system).bind("127.0.0.1", 8080).runForeach(_.handleWith(Flow[ByteString]))
 * }</pre>
 *
 * Written in Java over the javadsl extension (same stages, same behaviour, same
 * defaults, the same argument checks and NIO fallback: a null passes through the
 * conversions below as null, for the javadsl to refuse by name); Scala's default arguments
 * become overloads, an implicit {@code Materializer} an explicit last parameter.
 */
public final class KqTcp implements Extension {
  /** The extension id. */
  public static final Id ID = new Id();

  private final io.pekkokq.stream.javadsl.KqTcp javadsl;

  private KqTcp(ExtendedActorSystem system) {
    this.javadsl = io.pekkokq.stream.javadsl.KqTcp.get(system);
  }

  /** See {@link io.pekkokq.stream.javadsl.KqTcp#metrics()}. */
  public io.pekkokq.metrics.KqMetrics metrics() {
    return javadsl.metrics();
  }

  /** The extension of this actor system ({@code KqTcp.get(system)}; in Scala also {@code KqTcp.apply}). */
  public static KqTcp get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The extension of this actor system. */
  public static KqTcp get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /** For Scala: {@code KqTcp(system)}. */
  public static KqTcp apply(ClassicActorSystemProvider system) {
    return get(system);
  }

  /** The {@code ExtensionId}. */
  public static final class Id extends AbstractExtensionId<KqTcp> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public KqTcp createExtension(ExtendedActorSystem system) {
      return new KqTcp(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }

  /**
   * {@link io.pekkokq.stream.javadsl.KqTcp#handleOnPollerThread}: {@code
   * connection.handleWith(handler)} as one interpreter on the next poller's thread.
   */
  public <M> M handleOnPollerThread(
      IncomingConnection connection, Graph<FlowShape<ByteString, ByteString>, M> handler, Materializer materializer) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(handler, "handler");
    return runOnPollerThread(connection.flow().joinMat(handler, Keep.right()), materializer);
  }

  /** {@link io.pekkokq.stream.javadsl.KqTcp#runOnPollerThread}: one interpreter on the next poller's thread. */
  public <M> M runOnPollerThread(Graph<ClosedShape, M> graph, Materializer materializer) {
    return javadsl.runOnPollerThread(graph, materializer);
  }

  /**
   * {@link io.pekkokq.stream.javadsl.KqTcp#onPollerThread()}: for a whole connection prefer
   * {@link #handleOnPollerThread} (one interpreter actor where these attributes cost two).
   */
  public Attributes onPollerThread() {
    return javadsl.onPollerThread();
  }

  // ---- server ----------------------------------------------------------------------

  /** As {@code scaladsl.Tcp.bind}; {@code Duration.Inf} for no idle timeout. */
  public Source<IncomingConnection, Future<ServerBinding>> bind(
      String interfaceName,
      int port,
      int backlog,
      scala.collection.immutable.Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Duration idleTimeout) {
    return javadsl
        .bind(interfaceName, port, backlog, asJava(options), halfClose, optional(idleTimeout))
        .map(PekkoTcpShapes::scaladsl)
        .mapMaterializedValue(bound -> FutureConverters.asScala(bound.thenApply(PekkoTcpShapes::scaladsl)))
        .asScala();
  }

  /** {@code bind} with Pekko's defaults (backlog 100, no options, no half-close, no idle timeout). */
  public Source<IncomingConnection, Future<ServerBinding>> bind(String interfaceName, int port) {
    return bind(interfaceName, port, 100, emptyOptions(), false, Duration.Inf());
  }

  /** As {@code scaladsl.Tcp.bindAndHandle}: each connection handled by a fresh materialization of {@code handler}. */
  public Future<ServerBinding> bindAndHandle(
      Flow<ByteString, ByteString, ?> handler,
      String interfaceName,
      int port,
      int backlog,
      scala.collection.immutable.Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Duration idleTimeout,
      Materializer materializer) {
    return bind(interfaceName, port, backlog, options, halfClose, idleTimeout)
        .to(Sink.<IncomingConnection>foreach(connection -> handle(connection, handler, materializer)))
        .run(materializer);
  }

  /** {@code bindAndHandle} with Pekko's defaults. */
  public Future<ServerBinding> bindAndHandle(
      Flow<ByteString, ByteString, ?> handler, String interfaceName, int port, Materializer materializer) {
    return bindAndHandle(handler, interfaceName, port, 100, emptyOptions(), false, Duration.Inf(), materializer);
  }

  /** A TLS server: each connection's flow carries plaintext. */
  public Source<IncomingConnection, Future<ServerBinding>> bindWithTls(
      String interfaceName, int port, scala.Function0<SSLEngine> createSSLEngine) {
    return javadsl
        .bindWithTls(interfaceName, port, createSSLEngine::apply)
        .map(PekkoTcpShapes::scaladsl)
        .mapMaterializedValue(bound -> FutureConverters.asScala(bound.thenApply(PekkoTcpShapes::scaladsl)))
        .asScala();
  }

  /** {@code bindWithTls}, each connection handled by {@code handler}. */
  public Future<ServerBinding> bindAndHandleWithTls(
      Flow<ByteString, ByteString, ?> handler,
      String interfaceName,
      int port,
      scala.Function0<SSLEngine> createSSLEngine,
      Materializer materializer) {
    return bindWithTls(interfaceName, port, createSSLEngine)
        .to(Sink.<IncomingConnection>foreach(connection -> handle(connection, handler, materializer)))
        .run(materializer);
  }

  // ---- client ----------------------------------------------------------------------

  /** As {@code scaladsl.Tcp.outgoingConnection}; {@code Duration.Inf} for no timeout. */
  public Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoingConnection(
      InetSocketAddress remoteAddress,
      Option<InetSocketAddress> localAddress,
      scala.collection.immutable.Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Duration connectTimeout,
      Duration idleTimeout) {
    return javadsl
        .outgoingConnection(
            remoteAddress,
            localAddress == null ? null : Optional.ofNullable(localAddress.getOrElse(() -> null)),
            asJava(options),
            halfClose,
            optional(connectTimeout),
            optional(idleTimeout))
        .mapMaterializedValue(connected -> FutureConverters.asScala(connected.thenApply(PekkoTcpShapes::scaladsl)))
        .asScala();
  }

  /** {@code outgoingConnection} to {@code host:port} with Pekko's defaults (half-close on). */
  public Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoingConnection(String host, int port) {
    return outgoingConnection(
        InetSocketAddress.createUnresolved(host, port), Option.empty(), emptyOptions(), true,
        Duration.Inf(), Duration.Inf());
  }

  /** A TLS client connection: plaintext in and out. */
  public Flow<ByteString, ByteString, Future<OutgoingConnection>> outgoingConnectionWithTls(
      InetSocketAddress remoteAddress, scala.Function0<SSLEngine> createSSLEngine) {
    return javadsl
        .outgoingConnectionWithTls(remoteAddress, createSSLEngine::apply)
        .mapMaterializedValue(connected -> FutureConverters.asScala(connected.thenApply(PekkoTcpShapes::scaladsl)))
        .asScala();
  }

  private static BoxedUnit handle(
      IncomingConnection connection, Flow<ByteString, ByteString, ?> handler, Materializer materializer) {
    connection.handleWith(handler, materializer);
    return BoxedUnit.UNIT;
  }

  /** Null stays null (the javadsl names it); {@code Duration.Inf} is none. */
  private static Optional<java.time.Duration> optional(Duration duration) {
    if (duration == null) return null;
    return duration.isFinite() ? Optional.of(java.time.Duration.ofNanos(duration.toNanos())) : Optional.empty();
  }

  private static Iterable<Inet.SocketOption> asJava(scala.collection.immutable.Iterable<Inet.SocketOption> options) {
    return options == null ? null : CollectionConverters.asJava(options);
  }

  private static scala.collection.immutable.Iterable<Inet.SocketOption> emptyOptions() {
    return scala.collection.immutable.List$.MODULE$.empty();
  }
}
