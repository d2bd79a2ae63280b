package io.pekkokq.io.internal;

import io.pekkokq.io.unix.KqUnix;
import io.pekkokq.socket.Endpoints;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import org.apache.pekko.io.Tcp;

/** INTERNAL API. The Connected event of each family, from the connected socket. */
final class Events {
  private Events() {}

  /** Pekko's {@code Tcp.Connected}, or {@link KqUnix.Connected} with the peer's credentials. */
  static Tcp.Event connected(Socket socket, boolean unix) throws IOException {
    if (!unix) return new Tcp.Connected(socket.remoteAddress(), socket.localAddress());
    return new KqUnix.Connected(
        Endpoints.unix(socket.remoteSocketAddress()),
        Endpoints.unix(socket.localSocketAddress()),
        socket.peerCredentials());
  }
}
