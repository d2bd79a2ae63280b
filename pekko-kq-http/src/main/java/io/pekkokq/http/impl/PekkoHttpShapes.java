package io.pekkokq.http.impl;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpTerminated;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.http.scaladsl.HttpExt;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * Every place where pekko-kq-http builds a type that Pekko HTTP marks internal, or calls
 * a member that Pekko HTTP keeps {@code private[http]}: its javadsl and scaladsl {@code
 * ServerBinding}, {@code IncomingConnection} and {@code OutgoingConnection} constructors,
 * the failure its server layer recognises at termination, and the TLS stage its own
 * server puts under the HTTP layer. Pekko HTTP gives no public
 * way to make these, yet they are what its users hold, so KqHttp hands out the very same
 * types. {@code PekkoHttpShapesTest} fails if a Pekko HTTP version changes any of them.
 */
public final class PekkoHttpShapes {
  private PekkoHttpShapes() {}

  /**
   * Pekko HTTP's own (scaladsl) binding, which {@link #javadsl} wraps for Java, with its
   * semantics (terminate unbinds first, completes {@code whenTerminationSignalIssued} at once and {@code whenTerminated} when {@code
   * terminate} does; {@code addToCoordinatedShutdown}), driven by our two actions.
   */
  public static Http.ServerBinding serverBinding(
      InetSocketAddress localAddress,
      Supplier<CompletionStage<Done>> unbind,
      Function<java.time.Duration, CompletionStage<HttpTerminated>> terminate) {
    scala.Function0<Future<BoxedUnit>> unbindAction =
        () -> FutureConverters.asScala(unbind.get().thenApply(done -> BoxedUnit.UNIT));
    scala.Function1<FiniteDuration, Future<Http.HttpTerminated>> terminateAction =
        deadline ->
            FutureConverters.asScala(
                terminate
                    .apply(java.time.Duration.ofNanos(deadline.toNanos()))
                    .thenApply(t -> (Http.HttpTerminated) t));
    return new Http.ServerBinding(localAddress, unbindAction, terminateAction);
  }

  /** The javadsl binding over a scaladsl one, as Pekko HTTP's javadsl hands out. */
  public static ServerBinding javadsl(Http.ServerBinding binding) {
    return new ServerBinding(binding);
  }

  /** The javadsl connection over a scaladsl one, as Pekko HTTP's javadsl hands out. */
  public static IncomingConnection javadsl(Http.IncomingConnection connection) {
    return new IncomingConnection(connection);
  }

  /** What {@code terminate} completes with once every connection of a server has closed. */
  public static HttpTerminated serverTerminated() {
    return Http.HttpServerTerminated$.MODULE$;
  }

  /**
   * The failure that ends a connection at termination. Pekko HTTP's server layer knows
   * this class and closes the connection on it; any other failure it would answer with
   * a 500 and log as an internal server error.
   */
  public static RuntimeException terminationDeadlineReached() {
    return new org.apache.pekko.http.impl.engine.server.ServerTerminationDeadlineReached();
  }

  /** What one connection's termination completes with. */
  public static HttpTerminated connectionTerminated() {
    return Http.HttpConnectionTerminated$.MODULE$;
  }

  /**
   * Pekko HTTP's scaladsl incoming connection over a flow of ours ({@link #javadsl} wraps
   * it for Java). It wants the flow to materialize Pekko HTTP's internal {@code
   * ServerTerminator} (its {@code handleWith} casts to it), so our connection's terminator
   * is adapted to that trait.
   */
  public static Http.IncomingConnection incomingConnection(
      InetSocketAddress local,
      InetSocketAddress remote,
      Flow<HttpResponse, HttpRequest, ServerTerminator.Connection> flow) {
    org.apache.pekko.stream.scaladsl.Flow<
            org.apache.pekko.http.scaladsl.model.HttpResponse,
            org.apache.pekko.http.scaladsl.model.HttpRequest,
            org.apache.pekko.http.impl.engine.server.ServerTerminator>
        scalaFlow = scalaModel(flow.mapMaterializedValue(PekkoHttpShapes::pekkoTerminator)).asScala();
    return new Http.IncomingConnection(local, remote, scalaFlow);
  }

  private static org.apache.pekko.http.impl.engine.server.ServerTerminator pekkoTerminator(
      ServerTerminator.Connection connection) {
    return (deadline, executionContext) ->
        FutureConverters.asScala(
            connection
                .terminate(System.nanoTime() + deadline.toNanos())
                .thenApply(t -> (Http.HttpTerminated) t));
  }

  /** The javadsl model types of a flow seen as the scaladsl ones they always are. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <M> Flow<org.apache.pekko.http.scaladsl.model.HttpResponse, org.apache.pekko.http.scaladsl.model.HttpRequest, M>
      scalaModel(Flow<HttpResponse, HttpRequest, M> flow) {
    return (Flow) flow;
  }

  /** Pekko HTTP's javadsl outgoing connection, as a {@code ClientTransport} must return. */
  public static OutgoingConnection outgoingConnection(InetSocketAddress local, InetSocketAddress remote) {
    return new OutgoingConnection(new Http.OutgoingConnection(local, remote));
  }

  /**
   * Pekko HTTP's server layer (parsing, rendering, request timeouts, pipelining, the
   * linger after a response), as {@code Http().serverLayer} builds it, with the secure
   * flag that gives requests on a TLS connection the {@code https} scheme: the javadsl
   * overloads lack that flag, so the scaladsl one is called and its model types seen
   * through their javadsl supertypes, as Pekko HTTP's own javadsl does.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static BidiFlow<HttpResponse, SslTlsOutbound, SslTlsInbound, HttpRequest, NotUsed> serverLayer(
      HttpExt http, ServerSettings settings, Option<InetSocketAddress> remote, LoggingAdapter log, boolean secure) {
    org.apache.pekko.stream.scaladsl.BidiFlow layer =
        http.serverLayer(scala(settings), remote, log, secure);
    return layer.asJava();
  }

  /**
   * The TLS stage Pekko HTTP puts under a server connection for this context: a real one
   * for an {@code HttpsConnectionContext} (however it was created), a pass-through
   * otherwise. Pekko HTTP keeps the engine factory inside the context private.
   */
  public static BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed> serverTls(
      HttpExt http, ConnectionContext context) {
    return http.sslTlsServerStage((org.apache.pekko.http.scaladsl.ConnectionContext) context).asJava();
  }

  /** The Scala view of javadsl settings: every instance is one (the javadsl class cannot be extended). */
  public static org.apache.pekko.http.scaladsl.settings.ServerSettings scala(ServerSettings settings) {
    return (org.apache.pekko.http.scaladsl.settings.ServerSettings) settings;
  }
}
