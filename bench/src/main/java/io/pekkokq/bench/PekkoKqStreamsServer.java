package io.pekkokq.bench;

import io.pekkokq.stream.javadsl.KqTcp;
import io.pekkokq.stream.javadsl.KqUnixDomainSocket;
import org.apache.pekko.actor.ActorSystem;
import java.util.List;
import java.util.Optional;

/**
 * The same Streams echo / HTTP hello server as {@link PekkoStreamsTcpServer}, bound with
 * pekko-kq's Streams {@code KqTcp}: the handler flows are identical.
 *
 * <p>With {@code -Dbench.handlers=poller} (bench/run.sh's {@code pekko-kq-streams}) each
 * connection's graph runs with {@code KqTcp.runOnPollerThread}, as docs/streams.md
 * recommends for graphs that never block; with {@code pool} ({@code
 * pekko-kq-streams-pool}) on Pekko's default dispatcher, exactly as the Pekko server. A
 * {@code unix:<path>} endpoint binds a Unix domain socket ({@code KqUnixDomainSocket}).
 */
public final class PekkoKqStreamsServer {
  private PekkoKqStreamsServer() {}

  public static void main(String[] args) {
    boolean onPoller = HandlerPlacement.onPoller();
    ServerArgs a = ServerArgs.parse(args, PekkoKqStreamsServer.class.getName());
    if (a.unix()) {
      runUnix(a, onPoller);
      return;
    }
    PekkoStreamsTcpServer.run(
        args,
        PekkoKqStreamsServer.class.getName(),
        (system, port) ->
            KqTcp.get(system).bind(ServerArgs.HOST, port, ServerArgs.BACKLOG, List.of(), false, Optional.empty()),
        onPoller ? PekkoKqStreamsServer::onPoller : PekkoStreamsTcpServer.PEKKO_DEFAULT);
  }

  /**
   * The same handler flows over a Unix domain socket ({@code KqUnixDomainSocket}), placed
   * as for TCP.
   */
  private static void runUnix(ServerArgs a, boolean onPoller) {
    ActorSystem system = ActorSystem.create("bench");
    PekkoStreamsTcpServer.serve(
        a,
        system,
        KqUnixDomainSocket.get(system).bind(a.unixPath(), ServerArgs.BACKLOG, false),
        KqUnixDomainSocket.IncomingConnection::flow,
        onPoller ? onPoller(system) : PekkoStreamsTcpServer.PEKKO_DEFAULT.apply(system));
  }

  /** Each connection's graph as one interpreter on a poller's thread (docs/streams.md). */
  private static PekkoStreamsTcpServer.Placement onPoller(ActorSystem system) {
    KqTcp kq = KqTcp.get(system);
    return kq::runOnPollerThread;
  }
}
