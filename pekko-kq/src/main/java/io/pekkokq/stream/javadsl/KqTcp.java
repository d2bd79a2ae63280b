package io.pekkokq.stream.javadsl;

import io.pekkokq.metrics.KqMetrics;
import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.runtime.NativeChoice;
import io.pekkokq.stream.impl.ConnectSpec;
import io.pekkokq.stream.impl.ConnectionSourceStage;
import io.pekkokq.stream.impl.OneIslandPlacement;
import io.pekkokq.stream.impl.OutgoingConnectionStage;
import io.pekkokq.stream.impl.PekkoTcpShapes;
import io.pekkokq.stream.impl.StreamSupport;
import io.pekkokq.stream.impl.TcpKind;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.ClosedShape;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.IgnoreComplete$;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.javadsl.Tcp.IncomingConnection;
import org.apache.pekko.stream.javadsl.Tcp.OutgoingConnection;
import org.apache.pekko.stream.javadsl.Tcp.ServerBinding;
import org.apache.pekko.util.ByteString;

/**
 * Pekko Streams TCP on the native poller: a drop-in for {@code
 * org.apache.pekko.stream.javadsl.Tcp} with the same method names, parameters, defaults
 * and result types (Pekko's own {@link Tcp.IncomingConnection}, {@link Tcp.ServerBinding}
 * and {@link Tcp.OutgoingConnection}), so a Streams application migrates by changing
 * {@code Tcp.get(system)} to {@code KqTcp.get(system)}:
 *
 * <pre>{@code
 * KqTcp.get(system).bind("127.0.0.1", 8080)
 *     .to(Sink.foreach(c -> c.handleWith(Flow.of(ByteString.class), system)))
 *     .run(system);
 * }</pre>
 *
 * <p>Each connection is one stage that owns its socket and hears the poller's readiness
 * through an async callback (no connection actor in between). Defaults as Pekko's: server
 * {@code halfClose = false}, client {@code halfClose = true}, backlog 100, no timeouts.
 * Failures: {@link org.apache.pekko.stream.BindFailedException} (host and port in the
 * message, the BindException as cause), {@link org.apache.pekko.stream.StreamTcpException}
 * for connect and IO failures (the ConnectException etc. as cause), {@link
 * org.apache.pekko.stream.scaladsl.TcpIdleTimeoutException} for idle timeouts.
 *
 * <p>When the actor system runs on Pekko's NIO Tcp ({@code pekko.io.kq.fallback = nio}
 * without the native library, or {@code pekko.io.kq.native = off}), every method here
 * hands over to Pekko's own {@link Tcp} with the same arguments.
 */
public final class KqTcp implements Extension {
  /** The extension id. */
  public static final Id ID = new Id();

  private final ExtendedActorSystem system;
  /** Pekko's own Streams Tcp when the actor system is not native (the nio fallback), else null. */
  private final Tcp nio;
  /** Runs graphs as one island on a poller's dispatcher. */
  private final OneIslandPlacement oneIsland = new OneIslandPlacement();

  private KqTcp(ExtendedActorSystem system) {
    this.system = system;
    if (NativeChoice.get(system).isNative()) {
      KqRuntime.get(system); // the pollers and buffers the stages share
      this.nio = null;
    } else {
      this.nio = Tcp.get(system);
    }
  }

  /**
   * A snapshot of this actor system's pekko-kq counters, the same as the actor API's
   * {@code io.pekkokq.io.KqTcp.get(system).metrics()} (both APIs share the pollers): per
   * poller, and per API; {@link KqMetrics#streams()} holds this API's. Cheap enough to
   * take every second; docs/operations.md explains each count. All zero ({@link
   * KqMetrics#isNative()} false) when the actor system runs on Pekko's NIO Tcp.
   */
  public KqMetrics metrics() {
    return nio == null ? KqRuntime.get(system).metrics() : KqMetrics.notNative();
  }

  /** The extension of this actor system. */
  public static KqTcp get(ActorSystem system) {
    return ID.apply(system);
  }

  /** The extension of this actor system. */
  public static KqTcp get(ClassicActorSystemProvider system) {
    return ID.apply(system.classicSystem());
  }

  /**
   * The {@code ExtensionId}: a separate class because Java cannot give the id itself the
   * static {@code get(system)} of Pekko's Scala objects.
   */
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
   * Handles an accepted connection with {@code handler} on the thread of one of this
   * extension's pollers (the next one, round-robin), as Netty runs a channel's handlers on
   * its event loop: {@code connection.handleWith(handler, materializer)}, but the whole
   * graph, connection stage and handler, is one interpreter on that poller's thread. Its
   * socket is registered with that same poller, so a readiness event reaches its stages,
   * and their writes go out, with no other thread woken. Only for handlers that never
   * block: a blocked stage holds up every socket of the poller. Without native pollers
   * (the nio fallback) it is {@code connection.handleWith(handler, materializer)}.
   *
   * <pre>{@code
   * kqTcp.bind("127.0.0.1", 8080)
   *     .to(Sink.foreach(c -> kqTcp.handleOnPollerThread(c, handler, system)))
   *     .run(system);
   * }</pre>
   *
   * @return the handler's materialized value, as {@code handleWith}
   */
  public <M> M handleOnPollerThread(
      IncomingConnection connection,
      Graph<FlowShape<ByteString, ByteString>, M> handler,
      ClassicActorSystemProvider systemProvider) {
    return handleOnPollerThread(connection, handler, SystemMaterializer.get(systemProvider).materializer());
  }

  /** {@link #handleOnPollerThread(IncomingConnection, Graph, ClassicActorSystemProvider)} with a materializer. */
  public <M> M handleOnPollerThread(
      IncomingConnection connection,
      Graph<FlowShape<ByteString, ByteString>, M> handler,
      Materializer materializer) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(handler, "handler");
    return runOnPollerThread(connection.flow().joinMat(handler, Keep.right()), materializer);
  }

  /**
   * Runs any closed graph that never blocks (a connection joined with its handler, an
   * outgoing connection with its source and sink) as ONE interpreter on the thread of the
   * next poller. Prefer this to {@link #onPollerThread()}: Pekko makes a graph whose own
   * attributes name a dispatcher an island of its own inside an empty outer one, which
   * still costs an interpreter actor (docs/streams.md, "On the poller thread"); here the
   * poller's dispatcher is the graph's default instead, as a materializer's own defaults
   * are (the graph's other attributes, and those of its parts, still apply on top). Without
   * native pollers (the nio fallback) it is {@code graph.run(materializer)}.
   *
   * @return the graph's materialized value
   */
  public <M> M runOnPollerThread(Graph<ClosedShape, M> graph, Materializer materializer) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(materializer, "materializer");
    if (nio != null) return materializer.materialize(graph); // no poller threads: Pekko's defaults
    KqRuntime ext = KqRuntime.get(system);
    return oneIsland.run(graph, materializer, ext.pollerDispatcher(ext.pollers().nextIndex()));
  }

  /**
   * Attributes that run a graph on the thread of one of this extension's pollers (the
   * next one, round-robin). Without native pollers (the nio fallback) they are empty
   * attributes. For a whole connection prefer {@link #handleOnPollerThread} or {@link
   * #runOnPollerThread}: a graph given these attributes with {@code withAttributes} costs
   * Pekko a second, empty interpreter actor (about 5 KB of garbage per connection); they
   * fit a part of a graph placed behind an async boundary.
   */
  public Attributes onPollerThread() {
    if (nio != null) return Attributes.none(); // no poller threads: Pekko's defaults
    KqRuntime ext = KqRuntime.get(system);
    return ActorAttributes.dispatcher(ext.pollerDispatcher(ext.pollers().nextIndex()));
  }

  // ---- server ----------------------------------------------------------------------

  /**
   * A Source of incoming connections, bound when materialized: one connection is accepted
   * per downstream demand. Cancelling it (or {@code ServerBinding.unbind()}) closes the
   * listening socket; accepted connections stay open.
   *
   * @param halfClose whether the peer's FIN leaves our side open until our upstream
   *     completes (true), or our upstream completing closes the socket (false)
   * @param idleTimeout fail a connection with TcpIdleTimeoutException when no bytes passed
   *     either way for this long; empty for none
   */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bind(
      String interfaceName,
      int port,
      int backlog,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Optional<Duration> idleTimeout) {
    Objects.requireNonNull(interfaceName, "interfaceName");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(idleTimeout, "idleTimeout (Optional.empty() for none)");
    if (nio != null) return nio.bind(interfaceName, port, backlog, options, halfClose, idleTimeout);
    return Source.fromGraph(
        new ConnectionSourceStage<>(
            TcpKind.INSTANCE,
            new InetSocketAddress(interfaceName, port), // resolved here, as Pekko's javadsl does
            backlog,
            options,
            halfClose,
            StreamSupport.orNull(idleTimeout)));
  }

  /** {@link #bind(String, int, int, Iterable, boolean, Optional)} with Pekko's defaults. */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bind(String interfaceName, int port) {
    return bind(interfaceName, port, 100, Collections.emptyList(), false, Optional.empty());
  }

  /**
   * Binds and handles every connection with {@code handler} (materialized once per
   * connection), as scaladsl {@code Tcp.bindAndHandle}.
   */
  public CompletionStage<ServerBinding> bindAndHandle(
      Flow<ByteString, ByteString, ?> handler,
      String interfaceName,
      int port,
      int backlog,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Optional<Duration> idleTimeout,
      Materializer materializer) {
    return bind(interfaceName, port, backlog, options, halfClose, idleTimeout)
        .to(Sink.foreach(connection -> connection.handleWith(handler, materializer)))
        .run(materializer);
  }

  /** {@link #bindAndHandle(Flow, String, int, int, Iterable, boolean, Optional, Materializer)} with defaults. */
  public CompletionStage<ServerBinding> bindAndHandle(
      Flow<ByteString, ByteString, ?> handler, String interfaceName, int port, Materializer materializer) {
    return bindAndHandle(
        handler, interfaceName, port, 100, Collections.emptyList(), false, Optional.empty(), materializer);
  }

  /** {@link #bindAndHandle} on the actor system's materializer. */
  public CompletionStage<ServerBinding> bindAndHandle(
      Flow<ByteString, ByteString, ?> handler, String interfaceName, int port) {
    return bindAndHandle(handler, interfaceName, port, SystemMaterializer.get(system).materializer());
  }

  /**
   * Binds and handles each connection with a fresh handler made for it (e.g. one that
   * greets the remote address first).
   */
  public CompletionStage<ServerBinding> bindWithHandler(
      Function<IncomingConnection, Flow<ByteString, ByteString, ?>> handlerFor,
      String interfaceName,
      int port) {
    Materializer materializer = SystemMaterializer.get(system).materializer();
    return bind(interfaceName, port)
        .to(Sink.foreach(connection -> connection.handleWith(handlerFor.apply(connection), materializer)))
        .run(materializer);
  }

  /** A TLS server: each connection's flow carries plaintext; Pekko's TLS stage does the rest. */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bindWithTls(
      String interfaceName, int port, Supplier<SSLEngine> createSSLEngine) {
    return bindWithTls(
        interfaceName, port, createSSLEngine, 100, Collections.emptyList(), Optional.empty(),
        session -> Optional.empty(), IgnoreComplete$.MODULE$);
  }

  /** The full form of {@link #bindWithTls(String, int, Supplier)}; half-close as Pekko's (true). */
  public Source<IncomingConnection, CompletionStage<ServerBinding>> bindWithTls(
      String interfaceName,
      int port,
      Supplier<SSLEngine> createSSLEngine,
      int backlog,
      Iterable<Inet.SocketOption> options,
      Optional<Duration> idleTimeout,
      Function<SSLSession, Optional<Throwable>> verifySession,
      TLSClosing closing) {
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> tls =
        tlsLayer(createSSLEngine, verifySession, closing);
    return bind(interfaceName, port, backlog, options, true, idleTimeout)
        .map(
            c -> PekkoTcpShapes.incoming(c.localAddress(), c.remoteAddress(), tls.join(c.flow())));
  }

  // ---- client ----------------------------------------------------------------------

  /**
   * A client connection flow: each materialization connects anew. The host is resolved
   * off the caller's thread when it is a name.
   *
   * @param halfClose whether our upstream completing only half-closes (FIN, reading goes
   *     on until the peer closes), as Pekko's default
   */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnection(
      InetSocketAddress remoteAddress,
      Optional<InetSocketAddress> localAddress,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout) {
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(localAddress, "localAddress (Optional.empty() for any)");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(connectTimeout, "connectTimeout (Optional.empty() for none)");
    Objects.requireNonNull(idleTimeout, "idleTimeout (Optional.empty() for none)");
    if (nio != null) {
      return nio.outgoingConnection(remoteAddress, localAddress, options, halfClose, connectTimeout, idleTimeout);
    }
    return Flow.fromGraph(
        new OutgoingConnectionStage<>(
            TcpKind.INSTANCE,
            new ConnectSpec(remoteAddress, localAddress, options, StreamSupport.orNull(connectTimeout)),
            halfClose,
            StreamSupport.orNull(idleTimeout)));
  }

  /** {@link #outgoingConnection(InetSocketAddress, Optional, Iterable, boolean, Optional, Optional)} with defaults. */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnection(
      String host, int port) {
    return outgoingConnection(
        InetSocketAddress.createUnresolved(host, port),
        Optional.empty(),
        Collections.emptyList(),
        true,
        Optional.empty(),
        Optional.empty());
  }

  /** A TLS client connection: plaintext in and out, Pekko's TLS stage over a KqTcp socket. */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnectionWithTls(
      InetSocketAddress remoteAddress, Supplier<SSLEngine> createSSLEngine) {
    return outgoingConnectionWithTls(
        remoteAddress, createSSLEngine, Optional.empty(), Collections.emptyList(), Optional.empty(),
        Optional.empty(), session -> Optional.empty(), IgnoreComplete$.MODULE$);
  }

  /** The full form of {@link #outgoingConnectionWithTls(InetSocketAddress, Supplier)}. */
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> outgoingConnectionWithTls(
      InetSocketAddress remoteAddress,
      Supplier<SSLEngine> createSSLEngine,
      Optional<InetSocketAddress> localAddress,
      Iterable<Inet.SocketOption> options,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout,
      Function<SSLSession, Optional<Throwable>> verifySession,
      TLSClosing closing) {
    Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> tcp =
        outgoingConnection(remoteAddress, localAddress, options, true, connectTimeout, idleTimeout);
    return tlsLayer(createSSLEngine, verifySession, closing)
        .join(tcp, Keep.<NotUsed, CompletionStage<OutgoingConnection>>right());
  }

  /** Plaintext on the outside, TLS records towards the network, as Pekko's Tcp wraps it. */
  private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> tlsLayer(
      Supplier<SSLEngine> createSSLEngine,
      Function<SSLSession, Optional<Throwable>> verifySession,
      TLSClosing closing) {
    Objects.requireNonNull(createSSLEngine, "createSSLEngine");
    Objects.requireNonNull(verifySession, "verifySession");
    Objects.requireNonNull(closing, "closing");
    BidiFlow<ByteString, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, ByteString, NotUsed> wrapping =
        BidiFlow.fromFlows(
            Flow.of(ByteString.class).map(b -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(b)),
            Flow.of(TLSProtocol.SslTlsInbound.class)
                .filter(i -> i instanceof TLSProtocol.SessionBytes)
                .map(i -> ((TLSProtocol.SessionBytes) i).bytes()));
    return wrapping.atop(
        TLS.create(
            createSSLEngine,
            session -> {
              Optional<Throwable> problem = verifySession.apply(session);
              if (problem.isPresent()) {
                Throwable t = problem.get();
                if (t instanceof RuntimeException) throw (RuntimeException) t;
                throw new IllegalStateException("TLS session verification failed", t);
              }
            },
            closing));
  }
}
