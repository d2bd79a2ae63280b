package io.pekkokq.http.scaladsl;

import io.pekkokq.http.impl.KqServer;
import io.pekkokq.http.impl.PekkoHttpShapes;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.http.scaladsl.HttpsConnectionContext;
import org.apache.pekko.http.scaladsl.ServerBuilder;
import org.apache.pekko.http.scaladsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import scala.Function1;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko HTTP's scaladsl {@link ServerBuilder} on pekko-kq sockets: the same methods,
 * defaults and results as {@code Http().newServerAt(host, port)} in Scala, so Scala code
 * moves over by changing that one call to {@code KqHttp(system).newServerAt(host, port)}.
 * The javadsl {@code io.pekkokq.http.javadsl.KqServerBuilder} and this one run the same
 * server code ({@code KqServer}); this one only converts Scala handlers and results, so
 * every behaviour and difference documented there holds here (docs/pekko-http.md).
 * Immutable; made by {@link KqHttp#newServerAt}.
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
  public KqServerBuilder adaptSettings(Function1<ServerSettings, ServerSettings> f) {
    return withSettings(f.apply(PekkoHttpShapes.scala(server.settings())));
  }

  @Override
  public KqServerBuilder enableHttps(HttpsConnectionContext newContext) {
    return new KqServerBuilder(server.withContext(newContext));
  }

  @Override
  public KqServerBuilder withMaterializer(Materializer newMaterializer) {
    return new KqServerBuilder(server.withMaterializer(newMaterializer));
  }

  /** As the javadsl builder's {@code withConnectionsOnPollerThreads}: only for handlers that never block. */
  public KqServerBuilder withConnectionsOnPollerThreads() {
    return new KqServerBuilder(server.withConnectionsOnPollerThreads());
  }

  @Override
  public Future<Http.ServerBinding> bind(Function1<HttpRequest, Future<HttpResponse>> handler) {
    return bindAsync(request -> FutureConverters.asJava(handler.apply((HttpRequest) request)));
  }

  @Override
  public Future<Http.ServerBinding> bindSync(Function1<HttpRequest, HttpResponse> handler) {
    // As Pekko HTTP: an exception from the handler fails the handler flow, which the
    // server layer answers with 500 and then closes the connection. A map, not bind's
    // mapAsync of a completed future: no future and no conversion per request.
    return bind(
        Flow.<org.apache.pekko.http.javadsl.model.HttpRequest>create()
            .map(request -> handler.apply((HttpRequest) request)));
  }

  @Override
  public Future<Http.ServerBinding> bindFlow(
      org.apache.pekko.stream.scaladsl.Flow<HttpRequest, HttpResponse, ?> handlerFlow) {
    return bind(scalaRequests(handlerFlow.asJava()));
  }

  @Override
  public org.apache.pekko.stream.scaladsl.Source<Http.IncomingConnection, Future<Http.ServerBinding>> connectionSource() {
    return server.connectionSource().mapMaterializedValue(FutureConverters::asScala).asScala();
  }

  /** Serves {@code handler}, up to the settings' pipelining limit of requests at once per connection, as Pekko HTTP. */
  private Future<Http.ServerBinding> bindAsync(
      org.apache.pekko.japi.function.Function<org.apache.pekko.http.javadsl.model.HttpRequest, CompletionStage<HttpResponse>> handler) {
    return bind(
        Flow.<org.apache.pekko.http.javadsl.model.HttpRequest>create()
            .mapAsync(server.settings().getPipeliningLimit(), handler));
  }

  /**
   * Serves {@code flow}. Its responses are seen as their javadsl supertype by a cast, not a
   * {@code map} stage: a flow's output type is only read, so widening it is safe.
   */
  @SuppressWarnings("unchecked")
  private Future<Http.ServerBinding> bind(Flow<org.apache.pekko.http.javadsl.model.HttpRequest, ? extends HttpResponse, ?> flow) {
    return FutureConverters.asScala(
        server.bindFlow(
            (Flow<org.apache.pekko.http.javadsl.model.HttpRequest, org.apache.pekko.http.javadsl.model.HttpResponse, ?>)
                (Flow<?, ?, ?>) flow));
  }

  /**
   * A scaladsl handler flow as one taking javadsl requests, by a cast rather than a {@code
   * map} stage: every javadsl {@code HttpRequest} is a scaladsl one (its only subclass), as
   * Pekko HTTP's own javadsl relies on.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <M> Flow<org.apache.pekko.http.javadsl.model.HttpRequest, HttpResponse, M> scalaRequests(
      Flow<HttpRequest, HttpResponse, M> flow) {
    return (Flow) flow;
  }
}
