package io.pekkokq.stream.impl;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.io.Inet;

/**
 * INTERNAL API. Where and how an outgoing connection stage connects: an {@code
 * InetSocketAddress} (TCP, maybe a host name to look up) or a Unix domain socket's address.
 */
public final class ConnectSpec {
  public final SocketAddress remote;
  public final Optional<? extends SocketAddress> local;
  public final Iterable<Inet.SocketOption> options;
  /** null: no timeout. */
  public final Duration connectTimeout;

  public ConnectSpec(
      SocketAddress remote,
      Optional<? extends SocketAddress> local,
      Iterable<Inet.SocketOption> options,
      Duration connectTimeout) {
    this.remote = remote;
    this.local = local;
    this.options = options;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public String toString() {
    return "Connect(" + remote + (local.isPresent() ? ", " + local.get() : "") + ")";
  }
}
