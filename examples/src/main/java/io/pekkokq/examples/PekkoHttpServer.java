package io.pekkokq.examples;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.pekkokq.http.javadsl.KqHttp;
import java.time.Duration;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A Pekko HTTP routing-DSL server on pekko-kq: the routes are plain Pekko HTTP, the one
 * pekko-kq line is {@code KqHttp.get(system).newServerAt(...)} where Pekko HTTP has {@code
 * Http.get(system).newServerAt(...)}.
 *
 * <ul>
 *   <li>{@code GET /hello}: {@code Hello, World!}
 *   <li>{@code POST /echo} with a JSON body: the same JSON back, parsed and re-rendered
 *       by Jackson (a body that is not JSON gets 400)
 * </ul>
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.PekkoHttpServer}
 * (port 8081; {@code -Dexec.args=PORT}), then {@code curl http://127.0.0.1:8081/hello} or
 * {@code curl -H 'Content-Type: application/json' -d '{"a":[1,2]}' http://127.0.0.1:8081/echo}.
 * Prints {@code READY <port>}; Ctrl-C stops it, draining requests in flight.
 */
public final class PekkoHttpServer {
  static Route routes() {
    return concat(
        path("hello", () -> get(() -> complete("Hello, World!"))),
        path("echo", () -> post(() -> entity(Jackson.unmarshaller(JsonNode.class),
            json -> completeOK(json, Jackson.marshaller())))));
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
    ActorSystem system = ActorSystem.create("pekko-http-server");
    KqHttp.get(system)
        .newServerAt("127.0.0.1", port)
        .bind(routes())
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            System.err.println("bind failed: " + failure.getMessage());
            system.terminate();
          } else {
            binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
            System.out.println("READY " + binding.localAddress().getPort());
            System.out.flush();
          }
        });
  }
}
