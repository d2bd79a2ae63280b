package io.pekkokq.examples;

import io.pekkokq.http.javadsl.KqClientTransport;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * A Pekko HTTP client that reaches a server on a Unix domain socket, as Docker's API is
 * reached: the request names {@code http://localhost/...}, the transport ({@code
 * KqClientTransport.unixDomainSocket(path)}) takes every connection to the socket file.
 * Prints the status line and the body, exits 0; exits 1 with the reason when the request
 * fails (e.g. nobody listens at the path).
 *
 * <p>Run (with {@link UnixSocketHttpServer} started): {@code mvn -q -pl examples exec:java
 * -Dexec.mainClass=io.pekkokq.examples.UnixSocketHttpClient} (socket {@code
 * pekko-kq-http.sock}, path {@code /version}; {@code -Dexec.args="SOCKET /path"} for others;
 * against Docker: {@code -Dexec.args="/var/run/docker.sock /version"}).
 */
public final class UnixSocketHttpClient {
  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args.length > 0 ? args[0] : "pekko-kq-http.sock");
    String path = args.length > 1 ? args[1] : "/version";
    ActorSystem system = ActorSystem.create("unix-socket-http-client");
    int exitCode = 0;
    try {
      ConnectionPoolSettings pool =
          ConnectionPoolSettings.create(system)
              .withMaxRetries(0)
              .withConnectionSettings(
                  ClientConnectionSettings.create(system).withTransport(KqClientTransport.unixDomainSocket(socket)));
      HttpResponse response =
          Http.get(system)
              .singleRequest(HttpRequest.create("http://localhost" + path),
                  Http.get(system).defaultClientHttpsContext(), pool, system.log())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      String body =
          response.entity().toStrict(10_000, system).toCompletableFuture().get(30, TimeUnit.SECONDS)
              .getData().utf8String();
      System.out.println(response.protocol().value() + " " + response.status().intValue());
      System.out.println(body);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.out.println("request to " + socket + " failed: " + cause);
      exitCode = 1;
    } finally {
      Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(30, TimeUnit.SECONDS);
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    System.out.flush();
    System.exit(exitCode);
  }
}
