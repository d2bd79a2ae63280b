package io.pekkokq.sys;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

/**
 * The one place where a negative native result ({@code -errno}) gets its meaning.
 *
 * <p>errno values differ between kernels (EAGAIN is 11 on Linux, 35 on macOS), so the
 * values are read from the library once, by index into the table of {@code
 * native/src/jni}: the order below must match it. Hot paths compare against these
 * constants and never build an exception for EAGAIN; control paths call {@link
 * #exception} to get the IOException a Java user expects.
 */
public final class Errno {
  // IMPORTANT: indices into the errno table of native/src/jni; keep in the same order.
  public static final int EAGAIN = constant(0);
  public static final int EINPROGRESS = constant(1);
  public static final int ECONNREFUSED = constant(2);
  public static final int EADDRINUSE = constant(3);
  public static final int EBADF = constant(4);
  public static final int EPIPE = constant(5);
  public static final int ECONNRESET = constant(6);
  public static final int ETIMEDOUT = constant(7);
  public static final int ENOTCONN = constant(8);
  public static final int EINVAL = constant(9);
  public static final int EPERM = constant(10);
  public static final int EADDRNOTAVAIL = constant(11);
  public static final int ENETUNREACH = constant(12);
  public static final int EHOSTUNREACH = constant(13);
  public static final int EBUSY = constant(14);
  public static final int EMFILE = constant(15);
  public static final int ENFILE = constant(16);
  public static final int ENOENT = constant(17);
  public static final int EACCES = constant(18);
  public static final int EALREADY = constant(19);
  public static final int EISCONN = constant(20);
  public static final int ECONNABORTED = constant(21);
  public static final int ENOBUFS = constant(22);
  public static final int ENOMEM = constant(23);
  public static final int EINTR = constant(24);
  public static final int EOPNOTSUPP = constant(25);
  public static final int EAFNOSUPPORT = constant(26);
  public static final int ENOTSOCK = constant(27);
  public static final int EISDIR = constant(28);
  public static final int ENAMETOOLONG = constant(29);
  public static final int ENOTDIR = constant(30);
  public static final int ELOOP = constant(31);
  public static final int EROFS = constant(32);
  public static final int EMSGSIZE = constant(33);
  public static final int ENOPROTOOPT = constant(34);

  private Errno() {}

  /**
   * The platform's value, or when the library is unavailable a number no native call can
   * return. This class must initialise without the library: an exception thrown by a
   * static initialiser surfaces as ExceptionInInitializerError, a LinkageError, which
   * Pekko treats as fatal. Callers reach a constant only after a native call ran anyway.
   */
  private static int constant(int index) {
    return NativeLibrary.isAvailable() ? Native.errnoConstant0(index) : Integer.MIN_VALUE + 1 + index;
  }

  /** The system's text for an errno value (positive) or a native result (negative). */
  public static String message(int errnoOrResult) {
    NativeLibrary.ensureAvailable();
    return Native.strerror0(Math.abs(errnoOrResult));
  }

  /**
   * The IOException a Java user expects for a failed native call.
   *
   * @param operation the system call, e.g. "connect", named in the message
   * @param result the native result, {@code -errno}
   */
  public static IOException exception(String operation, int result) {
    return exception(operation, result, null);
  }

  /**
   * As {@link #exception(String, int)}, the message ending with what the call was about
   * (a Unix socket's path), so "Address already in use" says which address. For a name in
   * the file system, the errors of path lookup (ENOENT, ENOTDIR, EACCES, ELOOP,
   * ENAMETOOLONG, EROFS) mean "cannot connect" from connect and "cannot bind" from bind.
   *
   * @param subject appended to the message after ": "; null for none
   */
  public static IOException exception(String operation, int result, Object subject) {
    int errno = -result;
    String text = subject == null ? message(errno) : message(errno) + ": " + subject;
    boolean connecting = "connect".equals(operation);
    boolean binding = "bind".equals(operation);
    if (errno == ECONNREFUSED || (connecting && (errno == ETIMEDOUT || isPathLookup(errno)))) {
      return new ConnectException(text);
    }
    if (errno == EADDRINUSE || (!connecting && errno == EADDRNOTAVAIL)
        || (binding && (isPathLookup(errno) || errno == EROFS))) {
      return new BindException(text);
    }
    if (errno == ENETUNREACH || errno == EHOSTUNREACH) {
      return new NoRouteToHostException(text);
    }
    if (errno == EBADF) {
      ClosedChannelException closed = new ClosedChannelException();
      closed.initCause(new IOException(operation + " on a closed descriptor: " + text));
      return closed;
    }
    if (errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN || errno == ECONNABORTED
        || errno == ETIMEDOUT || errno == EADDRNOTAVAIL) {
      return new SocketException(text);
    }
    return new IOException(operation + " failed: " + text + " (errno " + errno + ")");
  }

  /** The errors of resolving a path name in the file system (path_resolution(7)). */
  private static boolean isPathLookup(int errno) {
    return errno == ENOENT || errno == ENOTDIR || errno == EACCES || errno == ELOOP
        || errno == ENAMETOOLONG;
  }

  /** Returns {@code result} when it is not an error, else throws {@link #exception}. */
  public static int check(String operation, int result) throws IOException {
    if (result < 0) throw exception(operation, result);
    return result;
  }

  /** The long-returning form of {@link #check(String, int)}. */
  public static long check(String operation, long result) throws IOException {
    if (result < 0) throw exception(operation, (int) result);
    return result;
  }
}
