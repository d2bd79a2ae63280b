package io.pekkokq.socket;

import io.pekkokq.sys.Socket;
import java.io.IOException;

/**
 * A socket option of pekko-kq's own (e.g. {@code KqSO.ReusePort}) that knows how to set
 * itself on a native socket, before bind or connect. Pekko's own options are translated
 * by {@link SocketOptions}; an option of this kind needs no translation.
 */
public interface NativeSocketOption {
  void applyBeforeBindOrConnect(Socket socket) throws IOException;
}
