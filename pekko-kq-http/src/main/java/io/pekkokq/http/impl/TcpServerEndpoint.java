package io.pekkokq.http.impl;

import io.pekkokq.stream.javadsl.KqTcp;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Source;

/** A TCP listener on {@code host:port}, bound through {@code KqTcp} as Pekko HTTP binds. */
public final class TcpServerEndpoint implements ServerEndpoint {
  private final String host;
  private final int port;

  /** @param port 0 for a free one, negative for the protocol's default (80 or 443 by settings) */
  public TcpServerEndpoint(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** No TCP idle timeout (the HTTP layer has its own), no half-close: as Pekko HTTP. */
  @Override
  public Source<Accepted, CompletionStage<Bound>> bind(ActorSystem system, ServerSettings settings, boolean secure) {
    int chosenPort = port >= 0 ? port : secure ? settings.getDefaultHttpsPort() : settings.getDefaultHttpPort();
    return KqTcp.get(system)
        .bind(host, chosenPort, settings.getBacklog(), settings.getSocketOptions(), false, Optional.empty())
        .map(c -> new Accepted(c.localAddress(), c.remoteAddress(), Optional.of(c.remoteAddress()), c.flow()))
        .mapMaterializedValue(
            bound -> bound.thenApply(b -> new Bound(b.localAddress(), () -> b.unbind().thenApply(unit -> org.apache.pekko.Done.done()))));
  }

  @Override
  public ServerEndpoint onInterface(String newHost) {
    return new TcpServerEndpoint(newHost, port);
  }

  @Override
  public ServerEndpoint onPort(int newPort) {
    return new TcpServerEndpoint(host, newPort);
  }

  @Override
  public String describe() {
    return host + ":" + port;
  }
}
