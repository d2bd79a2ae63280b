package io.pekkokq.stream.impl;

import io.pekkokq.runtime.KqRuntime;
import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * INTERNAL API. A stream's TCP socket that holds one of {@code pekko.io.kq.max-channels},
 * as the actor API's sockets do, and gives it back exactly once: when it is closed or
 * aborted, whichever path the stream takes out.
 */
final class CountedSocket implements ByteDescriptor {
  private final Socket raw;
  private final ByteDescriptor socket;
  private final KqRuntime ext;
  private final AtomicBoolean released = new AtomicBoolean();

  private CountedSocket(Socket socket, KqRuntime ext) {
    this.raw = socket;
    this.socket = ByteDescriptor.socket(socket);
    this.ext = ext;
  }

  /**
   * Takes a place and opens a TCP socket for {@code address}'s family.
   *
   * @throws IOException saying "max-channels" when no place is left, or why the socket
   *     could not be opened (its place is then given back)
   */
  static CountedSocket open(KqRuntime ext, InetSocketAddress address) throws IOException {
    if (!ext.channels().tryReserve()) {
      throw new IOException(
          "pekko.io.kq.max-channels (" + ext.settings().maxChannels + ") reached: no more sockets may be opened");
    }
    try {
      return new CountedSocket(Socket.openTcpFor(address), ext);
    } catch (Throwable e) {
      ext.channels().release();
      throw e;
    }
  }

  /** Takes a place for an accepted socket; null, taking none, when no place is left. */
  static CountedSocket adopt(KqRuntime ext, Socket accepted) {
    return ext.channels().tryReserve() ? new CountedSocket(accepted, ext) : null;
  }

  /** The socket itself, for what only a socket does (bind, listen, accept, options). */
  Socket socket() {
    return raw;
  }

  @Override
  public FileDescriptor descriptor() {
    return socket.descriptor();
  }

  @Override
  public boolean shutdownOutput() throws IOException {
    return socket.shutdownOutput();
  }

  @Override
  public void abort() {
    try {
      socket.abort();
    } finally {
      release();
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } finally {
      release();
    }
  }

  private void release() {
    if (released.compareAndSet(false, true)) ext.channels().release();
  }

  @Override
  public String toString() {
    return socket.toString();
  }

}
