package io.pekkokq.bench;

import io.pekkokq.io.KqTcp;

/**
 * The same actor-API echo / HTTP hello server as {@link PekkoClassicTcpServer}, on
 * pekko-kq's manager: the handlers are Pekko-only code, so the comparison isolates the
 * IO layer underneath.
 */
public final class PekkoKqActorServer {
  private PekkoKqActorServer() {}

  public static void main(String[] args) {
    PekkoClassicTcpServer.run(args, PekkoKqActorServer.class.getName(), system -> KqTcp.get(system).manager());
  }
}
