package io.pekkokq.http.javadsl;

import io.pekkokq.http.impl.KqServer;
import io.pekkokq.http.impl.PekkoHttpShapes;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.HandlerProvider;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
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
  private final KqServer server;

  KqServerBuilder(KqServer server) {
    this.server = server;
  }

  @Override
  public KqServerBuilder onInterface(String newHost) {
    return new KqServerBuilder(server.withEndpoint(server.endpoint().onInterface(newHost)));
  }

  @Override
  public KqServerBuilder onPort(int newPort) {
    return new KqServerBuilder(server.withEndpoint(server.endpoint().onPort(newPort)));
  }

  @Override
  public KqServerBuilder logTo(LoggingAdapter newLog) {
    return new KqServerBuilder(server.withLog(newLog));
  }

  @Override
  public KqServerBuilder withSettings(ServerSettings newSettings) {
    return new KqServerBuilder(server.withSettings(newSettings));
  }

  @Override
  public KqServerBuilder adaptSettings(Function<ServerSettings, ServerSettings> f) {
    try {
      return withSettings(f.apply(server.settings()));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("adaptSettings: the function failed", e);
    }
  }

  @Override
  public KqServerBuilder enableHttps(HttpsConnectionContext newContext) {
    return new KqServerBuilder(server.withContext(newContext));
  }

  @Override
  public KqServerBuilder withMaterializer(Materializer newMaterializer) {
    return new KqServerBuilder(server.withMaterializer(newMaterializer));
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
    return new KqServerBuilder(server.withConnectionsOnPollerThreads());
  }

  @Override
  public CompletionStage<ServerBinding> bind(Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return bindFlow(Flow.<HttpRequest>create().mapAsync(server.settings().getPipeliningLimit(), handler));
  }

  @Override
  public CompletionStage<ServerBinding> bind(HandlerProvider handlerProvider) {
    return bind(handlerProvider.handler(server.system()));
  }

  @Override
  public CompletionStage<ServerBinding> bindSync(Function<HttpRequest, HttpResponse> handler) {
    // As Pekko HTTP: an exception from the handler fails the handler flow, which the
    // server layer answers with 500 and then closes the connection. A map, not bind's
    // mapAsync of a completed future: no future and no conversion to Scala's per request.
    return bindFlow(Flow.<HttpRequest>create().map(handler::apply));
  }

  @Override
  public CompletionStage<ServerBinding> bindFlow(Flow<HttpRequest, HttpResponse, ?> handlerFlow) {
    return server.bindFlow(handlerFlow).thenApply(PekkoHttpShapes::javadsl);
  }

  @Override
  public Source<IncomingConnection, CompletionStage<ServerBinding>> connectionSource() {
    return server
        .connectionSource()
        .map(PekkoHttpShapes::javadsl)
        .mapMaterializedValue(bound -> bound.thenApply(PekkoHttpShapes::javadsl));
  }
}
