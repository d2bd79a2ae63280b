package io.pekkokq.bench;

import io.pekkokq.io.KqTcp;
import io.pekkokq.io.unix.KqUnix;
import io.pekkokq.sys.UnixAddress;

/**
 * The same actor-API echo / HTTP hello server as {@link PekkoClassicTcpServer}, on
 * pekko-kq's manager: the handlers are Pekko-only code, so the comparison isolates the
 * IO layer underneath.
 *
 * <p>With {@code -Dbench.handlers=poller} (bench/run.sh's {@code pekko-kq-actor}) each
 * handler is created on its connection's dispatcher ({@code KqTcpExt.dispatcherOf}), the
 * way docs/configuration.md recommends for handlers that never block: read, handle and
 * write happen on one poller thread. With {@code -Dbench.handlers=pool} ({@code
 * pekko-kq-actor-pool}) the handlers stay on Pekko's default dispatcher, exactly as in
 * the Pekko classic server. A {@code unix:<path>} endpoint binds a Unix domain socket
 * ({@code KqUnix.bind}); the handlers are the same.
 */
public final class PekkoKqActorServer {
  private PekkoKqActorServer() {}

  /**
   * With {@code -Dbench.printMetrics=true}: the metrics snapshot on standard error when
   * the JVM ends (Ctrl-C, kill), e.g. to see how many events a poller turn carries under a
   * load (docs/benchmarks.md, "Metrics overhead").
   */
  static void printMetricsAtExit(org.apache.pekko.actor.ActorSystem system) {
    if (!Boolean.getBoolean("bench.printMetrics")) return;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(KqTcp.get(system).metrics())));
  }

  public static void main(String[] args) {
    boolean onPoller = HandlerPlacement.onPoller();
    PekkoClassicTcpServer.run(
        args,
        PekkoKqActorServer.class.getName(),
        system -> {
          printMetricsAtExit(system);
          return KqTcp.get(system).manager();
        },
        onPoller
            ? (system, connection) -> KqTcp.get(system).dispatcherOf(connection)
            : PekkoClassicTcpServer.DEFAULT_DISPATCHER,
        (a, handler) -> KqUnix.bind(handler, UnixAddress.of(a.unixPath()), ServerArgs.BACKLOG, false));
  }
}
