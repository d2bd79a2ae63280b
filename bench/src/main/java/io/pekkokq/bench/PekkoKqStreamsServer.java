package io.pekkokq.bench;

import io.pekkokq.stream.javadsl.KqTcp;
import java.util.List;
import java.util.Optional;

/**
 * The same Streams echo / HTTP hello server as {@link PekkoStreamsTcpServer}, bound with
 * pekko-kq's Streams {@code KqTcp}: the handler flows are identical.
 */
public final class PekkoKqStreamsServer {
  private PekkoKqStreamsServer() {}

  public static void main(String[] args) {
    PekkoStreamsTcpServer.run(
        args,
        PekkoKqStreamsServer.class.getName(),
        (system, port) ->
            KqTcp.get(system).bind(ServerArgs.HOST, port, ServerArgs.BACKLOG, List.of(), false, Optional.empty()));
  }
}
