package io.pekkokq.socket;

import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;

/** INTERNAL API. {@link Channel} over a connected socket of any family. */
final class SocketChannel extends DescriptorChannel {
  private final Socket socket;

  SocketChannel(Socket socket) {
    super(socket);
    this.socket = socket;
  }

  @Override
  public long sendFile(FileDescriptor file, long offset, long count) {
    return socket.sendFile(file, offset, count);
  }

  @Override
  public boolean shutdownOutput() throws IOException {
    socket.shutdownOutput();
    return true;
  }

  /** SO_LINGER 0, then close: the kernel sends RST instead of FIN, as Pekko's Abort does. */
  @Override
  public void abort() {
    reset(socket);
  }

  static void reset(Socket socket) {
    if (socket.isOpen()) {
      try {
        socket.setOption(SocketOption.LINGER, 0);
      } catch (IOException ignored) {
        // already reset or closed by the peer: a plain close is all that is left
      }
    }
    socket.close();
  }
}
