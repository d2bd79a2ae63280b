package io.pekkokq.sys;

/**
 * An owned descriptor that makes a native call on a closed or reused descriptor
 * impossible (see {@link NativeResource} for how).
 */
public class FileDescriptor extends NativeResource {
  private final int fd;

  /**
   * @throws NativeUnavailableException when the native library cannot be loaded (it is
   *     loaded here on first use, so adopting an inherited descriptor works as a first call)
   */
  protected FileDescriptor(int fd) {
    NativeLibrary.ensureAvailable();
    if (fd < 0) throw new IllegalArgumentException("invalid descriptor " + fd);
    this.fd = fd;
  }

  /**
   * Takes ownership of a descriptor number (from accept, pipe, or inherited).
   *
   * @throws NativeUnavailableException when the native library cannot be loaded
   */
  public static FileDescriptor adopt(int fd) {
    return new FileDescriptor(fd);
  }

  /**
   * The descriptor number. Only for registration, logging and tests: a native call made
   * with it directly bypasses the guard.
   */
  public final int intValue() {
    return fd;
  }

  @Override
  protected final void closeNow() {
    Native.close0(fd);
  }

  /** Reads into native memory: bytes read, 0 at end of stream, or -errno (-EAGAIN: wait). */
  public final int read(long address, int length) {
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.read0(fd, address, length);
    } finally {
      release();
    }
  }

  /**
   * Reads up to {@code length} bytes into {@code array} from {@code offset}, straight into
   * the Java heap (no staging in native memory): bytes read, 0 at end of stream, or -errno,
   * as {@link #read(long, int)}. Bytes of the array outside what was read are untouched.
   *
   * @throws IndexOutOfBoundsException when the range is not inside the array
   */
  public final int read(byte[] array, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, array.length);
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.readArray0(fd, array, offset, length);
    } finally {
      release();
    }
  }

  /** Writes from native memory: bytes written or -errno (-EAGAIN: wait for WRITABLE). */
  public final int write(long address, int length) {
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.write0(fd, address, length);
    } finally {
      release();
    }
  }

  /**
   * Writes {@code length} bytes of {@code array} from {@code offset}, straight from the
   * Java heap (no copy into native memory): bytes written or -errno, as {@link #write}.
   *
   * @throws IndexOutOfBoundsException when the range is not inside the array
   */
  public final int write(byte[] array, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, array.length);
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.writeArray0(fd, array, offset, length);
    } finally {
      release();
    }
  }

  /** Gather write from {@code count} iovecs at {@code iovAddress}; as {@link #write}. */
  public final long writev(long iovAddress, int count) {
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.writev0(fd, iovAddress, count);
    } finally {
      release();
    }
  }

  /** Sets or clears O_NONBLOCK, for descriptors inherited from elsewhere. */
  public final void setNonBlocking(boolean on) throws java.io.IOException {
    if (!acquire()) throw Errno.exception("fcntl", -Errno.EBADF);
    try {
      Errno.check("fcntl", Native.setNonBlocking0(fd, on));
    } finally {
      release();
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(fd=" + fd + (isOpen() ? ")" : ", closed)");
  }
}
