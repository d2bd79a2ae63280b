package io.pekkokq.socket;

import io.pekkokq.sys.Socket;
import io.pekkokq.sys.UnixAddress;
import io.pekkokq.sys.UnixSocketFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * The only place in the socket layer that looks at an address's family: which socket to
 * open for it, how to bind and connect it, and what a Unix listener leaves in the file
 * system. The driver, the connector and the acceptor work on any family through these.
 *
 * <p>Families: {@link InetSocketAddress} (TCP over IPv4 or IPv6), and Unix domain stream
 * sockets named by a {@link UnixAddress} or by the JDK's {@link UnixDomainSocketAddress}
 * (a path; only {@code UnixAddress} can name a Linux abstract socket).
 */
public final class Endpoints {
  private Endpoints() {}

  /** A new non-blocking stream socket able to reach or bind {@code address}. */
  static Socket openStreamSocketFor(SocketAddress address) throws IOException {
    java.util.Objects.requireNonNull(address, "address");
    if (address instanceof InetSocketAddress) return Socket.openTcpFor((InetSocketAddress) address);
    if (isUnix(address)) return Socket.openUnix();
    throw new UnsupportedAddressTypeException();
  }

  static void bind(Socket socket, SocketAddress local) throws IOException {
    if (isUnix(local)) socket.bind(unix(local));
    else socket.bind(inet(local));
  }

  /** @return true when connected at once, false when pending */
  static boolean connect(Socket socket, SocketAddress remote) throws IOException {
    return isUnix(remote) ? socket.connect(unix(remote)) : socket.connect(inet(remote));
  }

  /** Whether {@code address} is a host name still to look up. */
  static boolean isUnresolved(SocketAddress address) {
    return address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved();
  }

  /** Whether {@code address} names a Unix domain socket (no TCP options apply to it). */
  public static boolean isUnix(SocketAddress address) {
    return address instanceof UnixAddress || address instanceof UnixDomainSocketAddress;
  }

  /** The kernel's name of a Unix address, whichever class holds it. */
  public static UnixAddress unix(SocketAddress address) {
    if (address instanceof UnixAddress) return (UnixAddress) address;
    if (address instanceof UnixDomainSocketAddress) return UnixAddress.of((UnixDomainSocketAddress) address);
    throw new UnsupportedAddressTypeException();
  }

  /**
   * Removes the socket file a Unix listener bound at {@code local} left, if it is still a
   * socket; nothing for other families and abstract names.
   *
   * @throws IOException when a file that is not a socket is there, or cannot be removed
   */
  static void removeSocketFile(SocketAddress local) throws IOException {
    if (isUnix(local)) UnixSocketFiles.deleteIfSocket(unix(local));
  }

  private static InetSocketAddress inet(SocketAddress address) {
    if (address instanceof InetSocketAddress) return (InetSocketAddress) address;
    throw new UnsupportedAddressTypeException();
  }
}
