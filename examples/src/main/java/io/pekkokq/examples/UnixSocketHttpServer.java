package io.pekkokq.examples;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import io.pekkokq.http.javadsl.KqHttp;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A Pekko HTTP server on a Unix domain socket, as local daemons such as Docker serve their
 * API: {@code KqHttp.get(system).newServerAt(UnixDomainSocketAddress.of(path))}, the routes
 * plain Pekko HTTP.
 *
 * <ul>
 *   <li>{@code GET /version}: {@code {"name":"pekko-kq","api":"1"}}
 *   <li>{@code POST /echo}: the body back
 * </ul>
 *
 * <p>Run: {@code mvn -q -pl examples exec:java -Dexec.mainClass=io.pekkokq.examples.UnixSocketHttpServer}
 * (socket {@code pekko-kq-http.sock} in the working directory; {@code -Dexec.args=PATH} for
 * another), then {@code curl --unix-socket pekko-kq-http.sock http://localhost/version} or
 * the client, {@link UnixSocketHttpClient}. Prints {@code READY <path>}; Ctrl-C stops it and
 * removes the socket file. A file already at the path fails the bind, naming it.
 */
public final class UnixSocketHttpServer {
  static Route routes() {
    return concat(
        path("version", () -> get(() -> complete(
            org.apache.pekko.http.javadsl.model.HttpEntities.create(
                org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
                "{\"name\":\"pekko-kq\",\"api\":\"1\"}")))),
        path("echo", () -> post(() -> extractStrictEntity(Duration.ofSeconds(10),
            entity -> complete(entity.getData().utf8String())))));
  }

  public static void main(String[] args) {
    Path socket = Path.of(args.length > 0 ? args[0] : "pekko-kq-http.sock").toAbsolutePath();
    ActorSystem system = ActorSystem.create("unix-socket-http-server");
    KqHttp.get(system)
        .newServerAt(UnixDomainSocketAddress.of(socket))
        .bind(routes())
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            System.err.println("bind failed: " + failure.getMessage()
                + (failure.getCause() != null ? " (" + failure.getCause().getMessage() + ")" : ""));
            system.terminate();
          } else {
            // unbinds (removing the socket file) and drains requests in flight on Ctrl-C
            binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
            System.out.println("READY " + socket);
            System.out.flush();
          }
        });
  }
}
