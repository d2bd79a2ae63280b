package io.pekkokq.sys;

import java.io.IOException;
import java.nio.file.Path;

/** Descriptors that are not sockets: pipes and files opened for sendfile. */
public final class Descriptors {
  private Descriptors() {}

  /** A non-blocking, close-on-exec pipe: element 0 reads, element 1 writes. */
  public static FileDescriptor[] pipe() throws IOException {
    NativeLibrary.ensureAvailable();
    int[] fds = new int[2];
    Errno.check("pipe", Native.pipe0(fds));
    return new FileDescriptor[] {FileDescriptor.adopt(fds[0]), FileDescriptor.adopt(fds[1])};
  }

  /** Opens a file for reading (blocking, close-on-exec). */
  public static FileDescriptor openForReading(Path path) throws IOException {
    NativeLibrary.ensureAvailable();
    String name = path.toString();
    if (name.indexOf('\0') >= 0) throw new IOException("path contains NUL: " + path);
    int result = Native.fileOpenRead0(name);
    if (result < 0) {
      IOException failure = Errno.exception("open", result);
      throw new IOException("open " + path + ": " + failure.getMessage(), failure);
    }
    return FileDescriptor.adopt(result);
  }
}
