package io.pekkokq.bench;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Echo / HTTP hello on Pekko Streams {@code Tcp}: each connection is handled by a flow,
 * {@code Flow.identity} for echo, a per-connection request counter mapped to responses for HTTP.
 * Backpressure is the stream's own.
 */
public final class PekkoStreamsTcpServer {
  private PekkoStreamsTcpServer() {}

  private static final ByteString ONE = ByteString.fromArrayUnsafe(HttpHello.RESPONSE);

  static Flow<ByteString, ByteString, NotUsed> handler(boolean http) {
    if (!http) {
      return Flow.<ByteString>create();
    }
    HttpHello.RequestCounter counter = new HttpHello.RequestCounter();
    return Flow.<ByteString>create()
        .map(
            in -> {
              int n = counter.count(in);
              if (n == 0) {
                return ByteString.emptyByteString();
              }
              return n == 1 ? ONE : ByteString.fromArrayUnsafe(HttpHello.responses(n));
            })
        .filter(out -> !out.isEmpty());
  }

  /** Runs one connection's graph (its flow joined with the handler) with a materializer. */
  interface Placement {
    void run(RunnableGraph<NotUsed> graph, Materializer mat);
  }

  /** Each connection's graph where Pekko runs it unless told otherwise. */
  static final Function<ActorSystem, Placement> PEKKO_DEFAULT = system -> RunnableGraph::run;

  public static void main(String[] args) {
    run(
        args,
        PekkoStreamsTcpServer.class.getName(),
        (system, port) ->
            Tcp.get(system)
                .bind(ServerArgs.HOST, port, ServerArgs.BACKLOG, List.of(), false, Optional.empty()),
        PEKKO_DEFAULT);
  }

  /**
   * Binds with {@code bind} and runs each connection's graph as {@code placement} says
   * ({@link #PEKKO_DEFAULT}: Pekko's default dispatcher): the only differences between Tcp
   * implementations.
   */
  static void run(
      String[] args,
      String name,
      BiFunction<ActorSystem, Integer, Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>>> bind,
      Function<ActorSystem, Placement> placement) {
    ServerArgs a = ServerArgs.parse(args, name);
    a.requireTcp(name);
    ActorSystem system = ActorSystem.create("bench");
    serve(a, system, bind.apply(system, a.port()), Tcp.IncomingConnection::flow, placement.apply(system));
  }

  /**
   * Runs each connection of {@code connections} (its flow given by {@code flowOf}) joined
   * with the handler, with {@code placement}; prints READY once bound.
   */
  static <C> void serve(
      ServerArgs a,
      ActorSystem system,
      Source<C, ? extends CompletionStage<?>> connections,
      Function<C, Flow<ByteString, ByteString, NotUsed>> flowOf,
      Placement placement) {
    Materializer mat = Materializer.createMaterializer(system);
    connections
        .to(Sink.foreach(conn -> placement.run(flowOf.apply(conn).join(handler(a.http())), mat)))
        .run(mat)
        .whenComplete(
            (binding, failure) -> {
              if (failure != null) {
                System.err.println("bind failed: " + failure);
                System.exit(1);
              }
              a.ready();
            });
  }
}
