package io.pekkokq.socket;

import io.pekkokq.runtime.NativeBuffer;
import io.pekkokq.sys.Errno;
import io.pekkokq.sys.FileDescriptor;
import io.pekkokq.sys.IoVectorArray;
import io.pekkokq.sys.Socket;
import java.io.IOException;

/**
 * The system calls a {@link SocketDriver} makes on its descriptor, and nothing else: the
 * seam between the driver's logic and the kernel. The real ones ({@link #of(Socket)},
 * {@link #of(FileDescriptor)}) call the natives; a test gives the driver a fake that
 * plays readiness, EAGAIN, short reads, hang-ups and errors in any order, with no kernel.
 *
 * <p>Data calls return what the system call returned: a count, 0 at end of stream, or
 * {@code -errno} (-EAGAIN: wait for the next edge). Called on the owner's thread only.
 */
public interface Channel {
  /** What a poller watches; null for a channel that is never registered (a fake). */
  FileDescriptor descriptor();

  /**
   * Reads up to {@code length} bytes into {@code array} from {@code offset}: the Java array
   * itself, no native staging buffer, so the array can become the received bytes as it is.
   */
  int read(byte[] array, int offset, int length);

  /** Writes the first {@code length} bytes of {@code from}. */
  int write(NativeBuffer from, int length);

  /** Writes from a Java array, without a copy into native memory. */
  int write(byte[] array, int offset, int length);

  /**
   * Writes the first {@code lengths[i]} bytes of each of {@code count} buffers with one
   * system call, through {@code vectors}.
   */
  long writev(NativeBuffer[] from, int[] lengths, int count, IoVectorArray vectors);

  /** Whether {@link #writev} is one system call; if not the driver writes one buffer per call. */
  default boolean gathers() {
    return true;
  }

  /** Sends {@code count} bytes of {@code file} from {@code offset} (sendfile): bytes or -errno. */
  default long sendFile(FileDescriptor file, long offset, long count) {
    return -Errno.EOPNOTSUPP;
  }

  /**
   * Ends the writing side (the peer reads end of stream) while reading goes on.
   *
   * @return false when this kind of descriptor cannot half-close
   */
  boolean shutdownOutput() throws IOException;

  /** Ends abruptly: a socket sends RST (SO_LINGER 0) as it closes. */
  void abort();

  /** Releases the descriptor. Idempotent. */
  void close();

  boolean isOpen();

  /** A connected stream socket (TCP, or any family): half-close, abort with RST, sendfile. */
  static Channel of(Socket socket) {
    return new SocketChannel(socket);
  }

  /** A pipe end, FIFO, terminal or other byte stream descriptor: no half-close, abort closes. */
  static Channel of(FileDescriptor descriptor) {
    if (descriptor instanceof Socket) return of((Socket) descriptor);
    return new DescriptorChannel(descriptor);
  }
}
