package io.pekkokq.examples;

import io.pekkokq.stream.javadsl.KqTcp;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * An echo server on Pekko Streams: each accepted connection's flow is joined with an
 * identity {@code Flow}, so bytes go back as they come, with the streams' own
 * back-pressure (a client that does not read stops the server reading from it).
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.StreamsEchoServer
 * -Dexec.args=9001}, then {@code nc 127.0.0.1 9001}. Prints {@code READY <port>}.
 */
public final class StreamsEchoServer {
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9001;
    ActorSystem system = ActorSystem.create("streams-echo-server");
    KqTcp.get(system)
        .bind("127.0.0.1", port)
        .to(Sink.foreach(connection -> connection.handleWith(Flow.of(ByteString.class), system)))
        .run(system)
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            System.err.println("bind failed: " + failure.getMessage());
            system.terminate();
          } else {
            System.out.println("READY " + binding.localAddress().getPort());
            System.out.flush();
          }
        });
  }
}
