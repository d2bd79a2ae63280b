package io.pekkokq.http.javadsl;

import io.pekkokq.http.impl.HttpServerStack;
import io.pekkokq.http.impl.PekkoHttpShapes;
import io.pekkokq.http.impl.ServerEndpoint;
import io.pekkokq.http.impl.ServerTerminator;
import io.pekkokq.stream.javadsl.KqTcp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HandlerProvider;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.Http$;
import org.apache.pekko.http.scaladsl.HttpExt;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Pekko HTTP's {@link ServerBuilder} on pekko-kq sockets: the same methods, defaults and
 * results as {@code Http.get(system).newServerAt(host, port)}, so a server moves over by
 * changing that one call to {@code KqHttp.get(system).newServerAt(host, port)}. Immutable;
 * every {@code with}/{@code on} method returns a new builder. Made by {@link
 * KqHttp#newServerAt(String, int)}, or by {@link
 * KqHttp#newServerAt(java.net.UnixDomainSocketAddress)} for a server on a Unix domain
 * socket (which Pekko HTTP has not): the same builder, where {@code onInterface} and
 * {@code onPort} throw {@code UnsupportedOperationException} (a socket file has neither)
 * and the binding's {@code localAddress()} is the path as an unresolved address, port 0.
 *
 * <p>What it does per binding, as Pekko HTTP does: binds with the settings' backlog and
 * socket options; accepts at most {@code max-connections} connections at once (the next
 * is accepted when one closes); puts {@code Http().serverLayer} and the context's TLS over
 * each; returns Pekko HTTP's own {@link ServerBinding}, whose {@code terminate} drains
 * in-flight requests (see {@code GracefulTerminatorStage}).
 *
 * <p>Differences, each deliberate: HTTP/2 ({@code enable-http2}) is not served, a warning
 * says so and HTTP/1.1 answers, as Pekko HTTP's own {@code bindFlow} and {@code
 * connectionSource} do; connections from {@link #connectionSource()} are drained by
 * {@code terminate} too (Pekko HTTP's are not); {@link #withConnectionsOnPollerThreads()}
 * is new.
 */
public final class KqServerBuilder implements ServerBuilder {
  private final ActorSystem system;
  private final ServerEndpoint endpoint;
  private final ConnectionContext context;
  private final LoggingAdapter log;
  private final ServerSettings settings;
  private final Materializer materializer;
  private final boolean onPollerThreads;

  KqServerBuilder(
      ActorSystem system,
      ServerEndpoint endpoint,
      ConnectionContext context,
      LoggingAdapter log,
      ServerSettings settings,
      Materializer materializer,
      boolean onPollerThreads) {
    this.system = system;
    this.endpoint = endpoint;
    this.context = context;
    this.log = log;
    this.settings = settings;
    this.materializer = materializer;
    this.onPollerThreads = onPollerThreads;
  }

  @Override
  public KqServerBuilder onInterface(String newHost) {
    return new KqServerBuilder(system, endpoint.onInterface(newHost), context, log, settings, materializer, onPollerThreads);
  }

  @Override
  public KqServerBuilder onPort(int newPort) {
    return new KqServerBuilder(system, endpoint.onPort(newPort), context, log, settings, materializer, onPollerThreads);
  }

  @Override
  public KqServerBuilder logTo(LoggingAdapter newLog) {
    return new KqServerBuilder(system, endpoint, context, newLog, settings, materializer, onPollerThreads);
  }

  @Override
  public KqServerBuilder withSettings(ServerSettings newSettings) {
    return new KqServerBuilder(system, endpoint, context, log, newSettings, materializer, onPollerThreads);
  }

  @Override
  public KqServerBuilder adaptSettings(Function<ServerSettings, ServerSettings> f) {
    try {
      return withSettings(f.apply(settings));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("adaptSettings: the function failed", e);
    }
  }

  @Override
  public KqServerBuilder enableHttps(HttpsConnectionContext newContext) {
    return new KqServerBuilder(system, endpoint, newContext, log, settings, materializer, onPollerThreads);
  }

  @Override
  public KqServerBuilder withMaterializer(Materializer newMaterializer) {
    return new KqServerBuilder(system, endpoint, context, log, settings, newMaterializer, onPollerThreads);
  }

  /**
   * Runs each connection's whole graph (socket, TLS, HTTP layer and the handler flow) on
   * the thread of the poller its socket is registered with, as Netty runs a channel on
   * its event loop: a request is read, handled and answered with no thread hand-off.
   * Only for handlers that never block (a blocked handler holds up every socket of the
   * poller); asynchronous handlers still complete wherever their futures do. Applies to
   * the {@code bind*} methods (a {@link #connectionSource()} connection runs where its
   * user materializes it).
   */
  public KqServerBuilder withConnectionsOnPollerThreads() {
    return new KqServerBuilder(system, endpoint, context, log, settings, materializer, true);
  }

  @Override
  public CompletionStage<ServerBinding> bind(Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return bindFlow(Flow.<HttpRequest>create().mapAsync(settings.getPipeliningLimit(), handler));
  }

  @Override
  public CompletionStage<ServerBinding> bind(HandlerProvider handlerProvider) {
    return bind(handlerProvider.handler(system));
  }

  @Override
  public CompletionStage<ServerBinding> bindSync(Function<HttpRequest, HttpResponse> handler) {
    // as Pekko HTTP: an exception from the handler fails the handler flow, which the
    // server layer answers with 500 and then closes the connection
    return bindFlow(
        Flow.<HttpRequest>create()
            .mapAsync(settings.getPipeliningLimit(), request -> CompletableFuture.completedFuture(handler.apply(request))));
  }

  @Override
  public CompletionStage<ServerBinding> bindFlow(Flow<HttpRequest, HttpResponse, ?> handlerFlow) {
    warnIfHttp2();
    HttpServerStack stack = stack();
    Attributes placement = onPollerThreads ? KqTcp.get(system).onPollerThread() : Attributes.none();
    Flow<HttpRequest, HttpResponse, CompletionStage<Done>> watched =
        Flow.<HttpRequest>create()
            .watchTermination(Keep.right())
            .viaMat(handlerFlow, Keep.left())
            // a connection ends when the handler has seen (or given) the end both ways
            .watchTermination((before, after) -> before.thenCompose(done -> after));
    return endpoint
        .bind(system, settings, context.isSecure())
        .mapAsyncUnordered(
            settings.getMaxConnections(),
            incoming -> {
              CompletionStage<Done> connectionDone;
              try {
                connectionDone =
                    stack.over(incoming).joinMat(watched, Keep.right()).addAttributes(placement).run(materializer);
              } catch (RuntimeException e) {
                log.error(e, "Could not materialize handling flow for {}", incoming);
                throw e;
              }
              // a failed connection is that connection's business, not the binding's
              return connectionDone.exceptionally(failure -> Done.done());
            })
        .mapMaterializedValue(bound -> bound.thenApply(b -> binding(b, stack)))
        .to(Sink.ignore())
        .run(materializer);
  }

  @Override
  public Source<IncomingConnection, CompletionStage<ServerBinding>> connectionSource() {
    warnIfHttp2();
    HttpServerStack stack = stack();
    return endpoint
        .bind(system, settings, context.isSecure())
        .map(incoming -> PekkoHttpShapes.incomingConnection(incoming.local(), incoming.remote(), stack.over(incoming)))
        .mapMaterializedValue(bound -> bound.thenApply(b -> binding(b, stack)));
  }

  private HttpServerStack stack() {
    HttpExt http = Http$.MODULE$.apply(system);
    return new HttpServerStack(http, settings, context, log, new ServerTerminator(log));
  }

  private static ServerBinding binding(ServerEndpoint.Bound bound, HttpServerStack stack) {
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
