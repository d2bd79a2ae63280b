package io.pekkokq.stream;

import io.pekkokq.socket.Channel;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.Socket;
import java.io.IOException;

/**
 * The plug-in point of the fd-backed byte streams: one kind of non-blocking descriptor
 * that a poller can watch, and how a stream ends it.
 *
 * <p>The stages of {@link io.pekkokq.stream.javadsl.FdStreams} and {@link
 * io.pekkokq.stream.javadsl.KqTcp} only ever read, write, half-close, abort and close
 * through this interface; readiness comes from the poller the descriptor is registered
 * with (edge-triggered). A new kind of descriptor (a character device, an eventfd-like
 * counter, a socket of another family) plugs in by implementing the few methods whose
 * defaults do not fit; see docs/streams.md.
 *
 * <p>All methods are called on the stage's thread, never concurrently.
 */
public interface ByteDescriptor {
  /** The descriptor the poller watches; it must be non-blocking. */
  FileDescriptor descriptor();

  /** Reads into native memory: bytes read, 0 at end of stream, or -errno (-EAGAIN: wait). */
  default int read(long address, int length) {
    return descriptor().read(address, length);
  }

  /**
   * Reads into a Java array, without a copy: as {@link #read(long, int)}. The stages read
   * through this one, so the array becomes the element as it is; a plug-in that overrides
   * only {@link #read(long, int)} is still honoured (read through native memory then
   * copied, as before this method existed).
   */
  default int read(byte[] array, int offset, int length) {
    return descriptor().read(array, offset, length);
  }

  /** Writes from native memory: bytes written or -errno (-EAGAIN: wait for WRITABLE). */
  default int write(long address, int length) {
    return descriptor().write(address, length);
  }

  /** Writes from a Java array, without a copy: as {@link #write(long, int)}. */
  default int write(byte[] array, int offset, int length) {
    return descriptor().write(array, offset, length);
  }

  /**
   * Tells the peer no more bytes come while reading goes on (a socket's shutdown(SHUT_WR)).
   *
   * @return false when this kind cannot half-close: the stream then closes it instead
   */
  default boolean shutdownOutput() throws IOException {
    return false;
  }

  /** Ends the descriptor abruptly after a failure (a socket sends RST). Then {@link #close}. */
  default void abort() {
    close();
  }

  /** Releases the descriptor; called once the poller registration has been cancelled. */
  default void close() {
    descriptor().close();
  }

  /** A pipe end, FIFO, terminal or other stream descriptor, owned by the stream. */
  static ByteDescriptor of(FileDescriptor descriptor) {
    java.util.Objects.requireNonNull(descriptor, "descriptor");
    if (descriptor instanceof Socket) return socket((Socket) descriptor);
    return () -> descriptor;
  }

  /**
   * A descriptor the stream uses but does not own (stdin, stdout): closing the stream
   * leaves it open.
   */
  static ByteDescriptor borrowed(FileDescriptor descriptor) {
    java.util.Objects.requireNonNull(descriptor, "descriptor");
    return new ByteDescriptor() {
      @Override
      public FileDescriptor descriptor() {
        return descriptor;
      }

      @Override
      public void close() {}
    };
  }

  /**
   * A connected stream socket: half-close is shutdown(SHUT_WR), abort sends RST, both as
   * the socket driver does them ({@link Channel#of(Socket)}).
   */
  static ByteDescriptor socket(Socket socket) {
    java.util.Objects.requireNonNull(socket, "socket");
    Channel channel = Channel.of(socket);
    return new ByteDescriptor() {
      @Override
      public FileDescriptor descriptor() {
        return socket;
      }

      @Override
      public boolean shutdownOutput() throws IOException {
        return channel.shutdownOutput();
      }

      @Override
      public void abort() {
        channel.abort();
      }

      @Override
      public String toString() {
        return socket.toString();
      }
    };
  }
}
