package io.pekkokq.io.internal;

import io.pekkokq.io.unix.KqUnix;
import io.pekkokq.socket.Endpoints;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;

/**
 * INTERNAL API. A Bind, whichever command asked for it (Pekko's {@code Tcp.Bind}, or
 * {@link KqUnix.Bind}): what the listener and its accepted connections need, and the two
 * events that differ between the families.
 */
final class BindRequest {
  /** The command itself, for CommandFailed. */
  final Tcp.Command command;
  final ActorRef handler;
  final SocketAddress localAddress;
  final int backlog;
  final scala.collection.immutable.Iterable<Inet.SocketOption> options;
  final boolean pullMode;

  private BindRequest(
      Tcp.Command command,
      ActorRef handler,
      SocketAddress localAddress,
      int backlog,
      scala.collection.immutable.Iterable<Inet.SocketOption> options,
      boolean pullMode) {
    this.command = command;
    this.handler = handler;
    this.localAddress = localAddress;
    this.backlog = backlog;
    this.options = options;
    this.pullMode = pullMode;
  }

  static BindRequest of(Tcp.Bind bind) {
    return new BindRequest(bind, bind.handler(), bind.localAddress(), bind.backlog(), bind.options(), bind.pullMode());
  }

  static BindRequest of(KqUnix.Bind bind) {
    return new BindRequest(
        bind, bind.handler(), bind.localAddress(), bind.backlog(), scala.collection.immutable.List$.MODULE$.empty(),
        bind.pullMode());
  }

  boolean unix() {
    return Endpoints.isUnix(localAddress);
  }

  /** Bound, with the address the kernel gave the listening socket. */
  Tcp.Event bound(Socket listening) throws IOException {
    SocketAddress bound = listening.localSocketAddress();
    return unix() ? new KqUnix.Bound(Endpoints.unix(bound)) : new Tcp.Bound((InetSocketAddress) bound);
  }

  /** Connected, for a socket this listener accepted. */
  Tcp.Event connected(Socket accepted) throws IOException {
    return Events.connected(accepted, unix());
  }
}
