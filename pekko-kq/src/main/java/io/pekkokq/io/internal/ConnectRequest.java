package io.pekkokq.io.internal;

import io.pekkokq.io.unix.KqUnix;
import io.pekkokq.socket.Endpoints;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A Connect, whichever command asked for it (Pekko's {@code Tcp.Connect}, or
 * {@link KqUnix.Connect}): what the outgoing connection needs, and its Connected event.
 */
final class ConnectRequest {
  /** The command itself, for CommandFailed. */
  final Tcp.Command command;
  final SocketAddress remoteAddress;
  /** null: unbound. */
  final SocketAddress localAddress;
  final scala.collection.immutable.Iterable<Inet.SocketOption> options;
  /** null: none. */
  final Duration timeout;
  /** The timeout as the command says it, for the failure message (Pekko's: "Some(1 second)"). */
  final String timeoutText;
  final boolean pullMode;

  private ConnectRequest(
      Tcp.Command command,
      SocketAddress remoteAddress,
      SocketAddress localAddress,
      scala.collection.immutable.Iterable<Inet.SocketOption> options,
      Duration timeout,
      String timeoutText,
      boolean pullMode) {
    this.command = command;
    this.timeoutText = timeoutText;
    this.remoteAddress = remoteAddress;
    this.localAddress = localAddress;
    this.options = options;
    this.timeout = timeout;
    this.pullMode = pullMode;
  }

  static ConnectRequest of(Tcp.Connect connect) {
    return new ConnectRequest(
        connect,
        connect.remoteAddress(),
        connect.localAddress().isDefined() ? connect.localAddress().get() : null,
        connect.options(),
        connect.timeout().isDefined() ? Duration.ofNanos(connect.timeout().get().toNanos()) : null,
        String.valueOf(connect.timeout()),
        connect.pullMode());
  }

  static ConnectRequest of(KqUnix.Connect connect) {
    return new ConnectRequest(
        connect,
        connect.remoteAddress(),
        connect.localAddress().orElse(null),
        scala.collection.immutable.List$.MODULE$.empty(),
        connect.timeout().orElse(null),
        String.valueOf(connect.timeout().orElse(null)),
        connect.pullMode());
  }

  boolean unix() {
    return Endpoints.isUnix(remoteAddress);
  }

  Tcp.Event connected(Socket socket) throws IOException {
    return Events.connected(socket, unix());
  }
}
