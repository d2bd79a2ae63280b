package io.pekkokq.http.impl;

import io.pekkokq.stream.javadsl.KqUnixDomainSocket;
import io.pekkokq.sys.UnixAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A Unix domain socket listener at a path, bound through {@code KqUnixDomainSocket}: the
 * settings' backlog applies, socket options do not (they are TCP's), and the socket file
 * follows {@code pekko.io.kq.unix-domain-socket} (removed on unbind by default).
 */
public final class UnixServerEndpoint implements ServerEndpoint {
  private final UnixDomainSocketAddress address;

  public UnixServerEndpoint(UnixDomainSocketAddress address) {
    if (address == null) throw new IllegalArgumentException("a Unix domain socket server needs an address, got null");
    this.address = address;
  }

  /**
   * Without the native library there are no Unix sockets: the Source then fails and so
   * does its binding, with {@code NativeUnavailableException} and the reason.
   */
  @Override
  public Source<Accepted, CompletionStage<Bound>> bind(ActorSystem system, ServerSettings settings, boolean secure) {
    KqUnixDomainSocket uds;
    try {
      uds = KqUnixDomainSocket.get(system);
    } catch (RuntimeException unavailable) {
      return Source.<Accepted>failed(unavailable)
          .mapMaterializedValue(unused -> CompletableFuture.failedFuture(unavailable));
    }
    return uds.bind(UnixAddress.of(address), settings.getBacklog(), false)
        .map(
            c ->
                new Accepted(
                    ServerEndpoint.unixName(c.localName().toString()),
                    ServerEndpoint.unixName(c.remoteName().isUnnamed() ? "" : c.remoteName().toString()),
                    Optional.empty(),
                    c.flow()))
        .mapMaterializedValue(
            bound ->
                bound.thenApply(b -> new Bound(ServerEndpoint.unixName(b.localName().toString()), b::unbind)));
  }

  @Override
  public ServerEndpoint onInterface(String host) {
    throw new UnsupportedOperationException(
        "a server on the Unix domain socket " + address + " has no interface; use newServerAt(host, port) for TCP");
  }

  @Override
  public ServerEndpoint onPort(int port) {
    throw new UnsupportedOperationException(
        "a server on the Unix domain socket " + address + " has no port; use newServerAt(host, port) for TCP");
  }

  @Override
  public String describe() {
    return address.getPath().toString();
  }
}
