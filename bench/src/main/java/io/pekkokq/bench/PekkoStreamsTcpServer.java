package io.pekkokq.bench;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
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

  /** Each connection's graph where Pekko runs it unless told otherwise. */
  static final Function<ActorSystem, Attributes> NO_ATTRIBUTES = system -> Attributes.none();

  public static void main(String[] args) {
    run(
        args,
        PekkoStreamsTcpServer.class.getName(),
        (system, port) ->
            Tcp.get(system)
                .bind(ServerArgs.HOST, port, ServerArgs.BACKLOG, List.of(), false, Optional.empty()),
        NO_ATTRIBUTES);
  }

  /**
   * Binds with {@code bind} and runs each connection's graph with the attributes {@code
   * placement} gives ({@link #NO_ATTRIBUTES}: Pekko's default dispatcher): the only differences
   * between Tcp implementations.
   */
  static void run(
      String[] args,
      String name,
      BiFunction<ActorSystem, Integer, Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>>> bind,
      Function<ActorSystem, Attributes> placement) {
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
      Attributes placement) {
    Materializer mat = Materializer.createMaterializer(system);
    connections
        .to(Sink.foreach(conn -> flowOf.apply(conn).join(handler(a.http())).withAttributes(placement).run(mat)))
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
