package io.pekkokq.http.impl;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Where a {@code KqServerBuilder} listens: a TCP host and port ({@link TcpServerEndpoint})
 * or a Unix domain socket ({@link UnixServerEndpoint}). Everything above the accepted
 * byte flow (the HTTP stack, max-connections, termination) is the same for both; this is
 * the one place that differs.
 *
 * <p>Pekko HTTP's types name every address as an {@code InetSocketAddress}; a Unix socket's
 * name appears there as an unresolved one whose host is the path and whose port is 0
 * ({@link #unixName}).
 */
public interface ServerEndpoint {
  /**
   * A Source of accepted connections, bound when materialized, with Pekko HTTP's backlog;
   * its materialized value completes once bound, or fails with why it could not bind.
   *
   * @param secure whether the connections carry TLS (picks the default port for TCP)
   */
  Source<Accepted, CompletionStage<Bound>> bind(ActorSystem system, ServerSettings settings, boolean secure);

  /** The same endpoint on another interface ({@code ServerBuilder.onInterface}). */
  ServerEndpoint onInterface(String host);

  /** The same endpoint on another port ({@code ServerBuilder.onPort}). */
  ServerEndpoint onPort(int port);

  /** For log lines: {@code host:port} or the socket's path. */
  String describe();

  /**
   * One accepted connection.
   *
   * @param peer the peer's IP address and port for Pekko HTTP's remote-address attribute;
   *     empty on a Unix socket, which has none
   * @param flow the connection's bytes; materialize once
   */
  record Accepted(
      InetSocketAddress local,
      InetSocketAddress remote,
      Optional<InetSocketAddress> peer,
      Flow<ByteString, ByteString, ?> flow) {}

  /** A listening socket: its address and how to close it (accepted connections stay). */
  record Bound(InetSocketAddress localAddress, Supplier<CompletionStage<Done>> unbind) {}

  /**
   * A Unix socket's name as Pekko HTTP's address type can carry it: unresolved, the path
   * (empty for an unnamed peer) as host, port 0.
   */
  static InetSocketAddress unixName(String name) {
    return InetSocketAddress.createUnresolved(name, 0);
  }
}
