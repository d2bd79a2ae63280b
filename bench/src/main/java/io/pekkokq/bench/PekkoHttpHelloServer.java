package io.pekkokq.bench;

import com.typesafe.config.ConfigFactory;
import io.pekkokq.http.javadsl.KqHttp;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Pekko HTTP's "Hello, World!" (a {@code bindSync} handler, the same response to every
 * request) on one of four transports, chosen by {@code -Dbench.transport}:
 *
 * <ul>
 *   <li>{@code pekko}: {@code Http.get(system).newServerAt}, on Pekko's own Tcp;
 *   <li>{@code kq-pool}: {@code KqHttp.get(system).newServerAt}, each connection's graph on
 *       Pekko's default dispatcher, as Pekko HTTP runs it;
 *   <li>{@code kq}: the same with {@code withConnectionsOnPollerThreads()};
 *   <li>{@code takeover}: Pekko HTTP unchanged, {@code pekko.io.kq.take-over-pekko-tcp = on}.
 * </ul>
 *
 * HTTP mode only: {@code <port> http}; another mode exits at once (bench/run.sh then
 * records the echo runs as failed for this server; run it with {@code MODES=http}).
 */
public final class PekkoHttpHelloServer {
  private static final HttpResponse HELLO =
      HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, "Hello, World!");

  public static void main(String[] args) {
    ServerArgs parsed = ServerArgs.parse(args, "PekkoHttpHelloServer");
    if (!parsed.http()) {
      System.err.println("PekkoHttpHelloServer serves HTTP only (mode http)");
      System.exit(2);
    }
    String transport = System.getProperty("bench.transport", "pekko");
    ActorSystem system = ActorSystem.create("pekko-http-hello",
        ConfigFactory.parseString(
                "pekko.loglevel = WARNING\n"
                    + "pekko.http.server.backlog = " + ServerArgs.BACKLOG + "\n"
                    + "pekko.http.server.max-connections = 4096\n"
                    + "pekko.io.kq.take-over-pekko-tcp = " + (transport.equals("takeover") ? "on" : "off"))
            .withFallback(ConfigFactory.load()));
    ServerBuilder builder;
    switch (transport) {
      case "pekko", "takeover" -> builder = Http.get(system).newServerAt(ServerArgs.HOST, parsed.port());
      case "kq-pool" -> builder = KqHttp.get(system).newServerAt(ServerArgs.HOST, parsed.port());
      case "kq" -> builder = KqHttp.get(system).newServerAt(ServerArgs.HOST, parsed.port()).withConnectionsOnPollerThreads();
      default -> {
        System.err.println("bench.transport must be pekko, kq-pool, kq or takeover, not " + transport);
        System.exit(2);
        return;
      }
    }
    String metricsFile = System.getProperty("bench.metrics-file");
    if (metricsFile != null) {
      // pekko-kq's counters (poller turns, events, tasks; read and write calls), written to
      // the file twice a second for bench/http-cpu.sh to divide by the requests it counted
      io.pekkokq.stream.javadsl.KqTcp kq = io.pekkokq.stream.javadsl.KqTcp.get(system);
      java.nio.file.Path file = java.nio.file.Path.of(metricsFile);
      system.scheduler().scheduleWithFixedDelay(
          java.time.Duration.ZERO, java.time.Duration.ofMillis(500), () -> {
            try {
              java.nio.file.Files.writeString(file, kq.metrics() + "\n");
            } catch (java.io.IOException e) {
              System.err.println("cannot write " + file + ": " + e);
            }
          }, system.dispatcher());
    }
    builder.bindSync(request -> {
      request.discardEntityBytes(system);
      return HELLO;
    }).whenComplete((binding, failure) -> {
      if (failure != null) {
        failure.printStackTrace();
        System.exit(1);
      }
      parsed.ready();
    });
  }
}
