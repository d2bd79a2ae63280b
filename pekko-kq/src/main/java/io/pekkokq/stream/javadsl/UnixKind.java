package io.pekkokq.stream.javadsl;

import io.pekkokq.socket.Endpoints;
import io.pekkokq.stream.impl.ConnectionKind;
import io.pekkokq.sys.PeerCredentials;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.UnixAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/** INTERNAL API. The connection objects of {@link KqUnixDomainSocket}. */
final class UnixKind
    implements ConnectionKind<
        KqUnixDomainSocket.IncomingConnection, KqUnixDomainSocket.ServerBinding, KqUnixDomainSocket.OutgoingConnection> {
  static final UnixKind INSTANCE = new UnixKind();

  private UnixKind() {}

  @Override
  public KqUnixDomainSocket.IncomingConnection incoming(
      Socket accepted, SocketAddress local, SocketAddress remote, Flow<ByteString, ByteString, NotUsed> flow) {
    return new KqUnixDomainSocket.IncomingConnection(
        name(local), name(remote), credentials(accepted), flow);
  }

  @Override
  public KqUnixDomainSocket.ServerBinding binding(
      SocketAddress bound, Supplier<CompletionStage<Done>> unbind, CompletionStage<Done> whenUnbound) {
    return new KqUnixDomainSocket.ServerBinding(name(bound), unbind, whenUnbound);
  }

  @Override
  public KqUnixDomainSocket.OutgoingConnection outgoing(Socket connected, SocketAddress remote, SocketAddress local) {
    return new KqUnixDomainSocket.OutgoingConnection(name(remote), name(local), credentials(connected));
  }

  @Override
  public boolean tcpOptions() {
    return false;
  }

  @Override
  public String transport() {
    return "Unix domain socket";
  }

  /** null (a connection reset before it was handed out) stays unnamed. */
  private static UnixAddress name(SocketAddress address) {
    return address == null ? UnixAddress.unnamed() : Endpoints.unix(address);
  }

  /** null when the connection is gone already: asked once, when the object is made. */
  private static PeerCredentials credentials(Socket socket) {
    if (socket == null) return null;
    try {
      return socket.peerCredentials();
    } catch (IOException gone) {
      return null;
    }
  }
}
