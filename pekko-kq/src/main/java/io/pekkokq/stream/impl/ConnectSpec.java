package io.pekkokq.stream.impl;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.io.Inet;

/** INTERNAL API. Where and how an outgoing connection stage connects. */
public final class ConnectSpec {
  public final InetSocketAddress remote;
  public final Optional<InetSocketAddress> local;
  public final Iterable<Inet.SocketOption> options;
  /** null: no timeout. */
  public final Duration connectTimeout;

  public ConnectSpec(
      InetSocketAddress remote,
      Optional<InetSocketAddress> local,
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
