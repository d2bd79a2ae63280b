package io.pekkokq.http.impl;

import io.pekkokq.stream.javadsl.KqTcp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.http.scaladsl.Http$;
import org.apache.pekko.http.scaladsl.HttpConnectionContext$;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One server's configuration and its two ways of running, behind both builders (the
 * javadsl {@code KqServerBuilder} and the scaladsl {@code KqHttp}'s): they only convert
 * handlers and results between the DSLs. Immutable; each {@code with} returns a copy.
 * Results are Pekko HTTP's scaladsl objects, which the javadsl ones wrap.
 *
 * <p>Per binding, as Pekko HTTP: binds with the settings' backlog (and, for TCP, socket
 * options); accepts at most {@code max-connections} connections at once; puts the {@link
 * HttpServerStack} over each; {@code terminate} drains in-flight requests.
 */
public record KqServer(
    ActorSystem system,
    ServerEndpoint endpoint,
    ConnectionContext context,
    LoggingAdapter log,
    ServerSettings settings,
    Materializer materializer,
    boolean onPollerThreads) {

  /**
   * As Pekko HTTP's {@code newServerAt}: the system's {@code pekko.http.server} settings, no
   * TLS, the system's log and materializer, connections on Pekko's dispatchers.
   */
  public static KqServer defaults(ActorSystem system, ServerEndpoint endpoint) {
    return new KqServer(
        system,
        endpoint,
        HttpConnectionContext$.MODULE$,
        system.log(),
        ServerSettings.create(system),
        SystemMaterializer.get(system).materializer(),
        false);
  }

  public KqServer withEndpoint(ServerEndpoint e) {
    return new KqServer(system, e, context, log, settings, materializer, onPollerThreads);
  }

  public KqServer withContext(ConnectionContext c) {
    return new KqServer(system, endpoint, c, log, settings, materializer, onPollerThreads);
  }

  public KqServer withLog(LoggingAdapter l) {
    return new KqServer(system, endpoint, context, l, settings, materializer, onPollerThreads);
  }

  public KqServer withSettings(ServerSettings s) {
    return new KqServer(system, endpoint, context, log, s, materializer, onPollerThreads);
  }

  public KqServer withMaterializer(Materializer m) {
    return new KqServer(system, endpoint, context, log, settings, m, onPollerThreads);
  }

  public KqServer withConnectionsOnPollerThreads() {
    return new KqServer(system, endpoint, context, log, settings, materializer, true);
  }

  /** Serves every connection with its own materialization of {@code handlerFlow}. */
  public CompletionStage<Http.ServerBinding> bindFlow(Flow<HttpRequest, HttpResponse, ?> handlerFlow) {
    warnIfHttp2();
    HttpServerStack stack = stack();
    KqTcp kq = KqTcp.get(system);
    return endpoint
        .bind(system, settings, context.isSecure())
        .mapAsyncUnordered(
            settings.getMaxConnections(),
            incoming -> {
              if (onPollerThreads) {
                // On a poller the listener and the connection share that thread's turns anyway.
                return closed(materialize(stack, incoming, handlerFlow, kq));
              }
              // On the pool each connection is materialized by a task of its own, not in the
              // listener's turn: materializing one costs 1 to 3 ms of CPU, and one after the
              // other inside the listener that run stretched to 12 to 38 ms each on a single
              // core shared with the dispatcher's busy threads, so the last of 50 connections
              // opened at once waited up to 1 s for its first response (docs/pekko-http.md,
              // "Pinned, one core each"). As tasks they share the dispatcher like any other
              // work, and on several cores they are materialized side by side.
              return CompletableFuture.<ServerTerminator.Connection>supplyAsync(
                      () -> materialize(stack, incoming, handlerFlow, kq), materializer.executionContext())
                  .thenCompose(KqServer::closed);
            })
        .mapMaterializedValue(bound -> bound.thenApply(b -> binding(b, stack)))
        .to(Sink.ignore())
        .run(materializer);
  }

  private ServerTerminator.Connection materialize(
      HttpServerStack stack, ServerEndpoint.Accepted incoming, Flow<HttpRequest, HttpResponse, ?> handlerFlow, KqTcp kq) {
    try {
      RunnableGraph<ServerTerminator.Connection> graph = stack.over(incoming).join(handlerFlow);
      // on a poller: one interpreter (withAttributes(onPollerThread()) would cost Pekko an
      // empty root island's actor too; docs/streams.md, "On the poller thread")
      return onPollerThreads ? kq.runOnPollerThread(graph, materializer) : graph.run(materializer);
    } catch (RuntimeException e) {
      log.error(e, "Could not materialize handling flow for {}", incoming);
      throw e;
    }
  }

  /**
   * When the connection has ended: its handler has seen (or given) the end both ways, which
   * its GracefulTerminatorStage tells (no stage watching the handler per request); a failed
   * connection is that connection's business, not the binding's.
   */
  private static CompletionStage<Done> closed(ServerTerminator.Connection connection) {
    return connection.whenClosed().thenApply(closed -> Done.done());
  }

  /** The accepted connections, each with the HTTP stack over it, for the user to handle. */
  public Source<Http.IncomingConnection, CompletionStage<Http.ServerBinding>> connectionSource() {
    warnIfHttp2();
    HttpServerStack stack = stack();
    return endpoint
        .bind(system, settings, context.isSecure())
        .map(incoming -> PekkoHttpShapes.incomingConnection(incoming.local(), incoming.remote(), stack.over(incoming)))
        .mapMaterializedValue(bound -> bound.thenApply(b -> binding(b, stack)));
  }

  private HttpServerStack stack() {
    return new HttpServerStack(Http$.MODULE$.apply(system), settings, context, log, new ServerTerminator(log));
  }

  private static Http.ServerBinding binding(ServerEndpoint.Bound bound, HttpServerStack stack) {
    return PekkoHttpShapes.serverBinding(
        bound.localAddress(), bound.unbind(), deadline -> stack.terminator().terminate(deadline));
  }

  private void warnIfHttp2() {
    if (PekkoHttpShapes.scala(settings).enableHttp2())
      log.warning(
          "KqHttp does not serve HTTP/2 (pekko.http.server.enable-http2 is on); "
              + "serving HTTP/1.1 on {}. See docs/pekko-http.md.", endpoint.describe());
  }
}
