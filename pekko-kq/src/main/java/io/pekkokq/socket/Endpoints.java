package io.pekkokq.socket;

import io.pekkokq.sys.Socket;
import io.pekkokq.sys.UnixAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * The only place in the socket layer that looks at an address's family: which socket to
 * open for it, and how to bind and connect it. The driver, the connector and the acceptor
 * work on any family through these: TCP ({@link InetSocketAddress}) and Unix domain
 * stream sockets ({@link UnixAddress}).
 */
final class Endpoints {
  private Endpoints() {}

  /** A new non-blocking stream socket able to reach or bind {@code address}. */
  static Socket openStreamSocketFor(SocketAddress address) throws IOException {
    java.util.Objects.requireNonNull(address, "address");
    if (address instanceof InetSocketAddress) return Socket.openTcpFor((InetSocketAddress) address);
    if (address instanceof UnixAddress) return Socket.openUnix();
    throw new UnsupportedAddressTypeException();
  }

  static void bind(Socket socket, SocketAddress local) throws IOException {
    if (local instanceof UnixAddress) socket.bind((UnixAddress) local);
    else socket.bind(inet(local));
  }

  /** @return true when connected at once, false when pending */
  static boolean connect(Socket socket, SocketAddress remote) throws IOException {
    if (remote instanceof UnixAddress) return socket.connect((UnixAddress) remote);
    return socket.connect(inet(remote));
  }

  /** Whether {@code address} is a host name still to look up. */
  static boolean isUnresolved(SocketAddress address) {
    return address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved();
  }

  private static InetSocketAddress inet(SocketAddress address) {
    if (address instanceof InetSocketAddress) return (InetSocketAddress) address;
    throw new UnsupportedAddressTypeException();
  }
}
