package io.pekkokq.socket;

import io.pekkokq.sys.Socket;
import java.io.IOException;

/**
 * A socket option of pekko-kq's own (e.g. {@code KqSO.ReusePort}) that knows how to set
 * itself on a native socket. Pekko's own options are translated by {@link SocketOptions};
 * an option of this kind needs no translation. Both moments are Pekko's: a failure before
 * bind or connect fails the Bind or Connect (CommandFailed; Streams: a failed binding or
 * connection), with the exception naming the option.
 */
public interface NativeSocketOption {
  /** On the listener before bind, or on a client socket before connect. */
  void applyBeforeBindOrConnect(Socket socket) throws IOException;

  /** On each connection once established, accepted or connected. None by default. */
  default void applyAfterConnect(Socket socket) throws IOException {}
}
