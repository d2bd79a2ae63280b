package io.pekkokq.stream.impl;

import io.pekkokq.io.KqTcpExt;
import io.pekkokq.stream.ByteDescriptor;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * INTERNAL API. A stream's TCP socket that holds one of {@code pekko.io.kq.max-channels},
 * as the actor API's sockets do, and gives it back exactly once: when it is closed or
 * aborted, whichever path the stream takes out.
 */
final class CountedSocket implements ByteDescriptor {
  private final ByteDescriptor socket;
  private final KqTcpExt ext;
  private final AtomicBoolean released = new AtomicBoolean();

  /** Wraps a socket whose place the caller has already taken with reserveChannel(). */
  CountedSocket(Socket socket, KqTcpExt ext) {
    this.socket = ByteDescriptor.socket(socket);
    this.ext = ext;
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
    if (released.compareAndSet(false, true)) ext.channelClosed();
  }

  @Override
  public String toString() {
    return socket.toString();
  }

  /** The error of a Bind or Connect refused because every channel is taken. */
  static IOException maxChannelsReached(KqTcpExt ext) {
    return new IOException(
        "pekko.io.kq.max-channels (" + ext.settings().maxChannels + ") reached: no more sockets may be opened");
  }
}
