package io.pekkokq.sys;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The name of a Unix domain socket, as the kernel sees it: a path in the file system, a
 * Linux abstract name (no file; the kernel's form starts with a NUL byte), or unnamed (an
 * unbound client; given to bind, the empty name asks Linux to pick an abstract one).
 *
 * <p>Why not {@link UnixDomainSocketAddress}: a {@code Path} cannot hold a NUL, so the
 * JDK cannot name an abstract socket. {@link #of(UnixDomainSocketAddress)} and {@link
 * #toUnixDomainSocketAddress()} convert for the two forms the JDK has.
 *
 * <p>A path is encoded as the JDK encodes it for its own Unix sockets and files (the
 * platform's {@code sun.jnu.encoding}), so both name the same file. Length is checked
 * where the kernel checks it: bind and connect fail with a message naming the path and
 * the limit ({@link #maxLength()}), as the JDK's own channels do.
 *
 * <p>A {@link SocketAddress}, so it travels wherever an address does (a bind or connect
 * request, an address-family switch) next to {@code InetSocketAddress}.
 */
public final class UnixAddress extends SocketAddress {
  private static final long serialVersionUID = 1L;
  private static final Charset PATH_CHARSET = pathCharset();
  private static final UnixAddress UNNAMED = new UnixAddress(new byte[0]);

  /** The kernel's form: the path's bytes, or NUL + an abstract name's bytes, or empty. */
  private final byte[] name;

  private UnixAddress(byte[] name) {
    this.name = name;
  }

  /** The socket file at {@code path} (relative paths resolve against the working directory). */
  public static UnixAddress of(Path path) {
    String text = path.toString();
    if (text.isEmpty()) throw new IllegalArgumentException("empty path: no Unix socket name");
    return new UnixAddress(text.getBytes(PATH_CHARSET));
  }

  /** The JDK's address: its path, or {@link #unnamed()} for the JDK's empty path. */
  public static UnixAddress of(UnixDomainSocketAddress address) {
    Path path = address.getPath();
    return path.toString().isEmpty() ? UNNAMED : of(path);
  }

  /**
   * The Linux abstract name {@code name} (its UTF-8 bytes after the leading NUL); no file
   * is made. Other kernels refuse it at bind and connect.
   */
  public static UnixAddress ofAbstract(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] kernel = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, kernel, 1, bytes.length);
    return new UnixAddress(kernel);
  }

  /** No name: an unbound socket's; bound on Linux, the kernel picks an abstract name. */
  public static UnixAddress unnamed() {
    return UNNAMED;
  }

  /** The name the native side wrote into the first {@code length} bytes of {@code buffer}. */
  static UnixAddress fromKernel(byte[] buffer, int length) {
    return length == 0 ? UNNAMED : new UnixAddress(Arrays.copyOf(buffer, length));
  }

  /**
   * The longest name the kernel takes, in bytes (sizeof sun_path): a path may use one
   * byte fewer (its terminating NUL), an abstract name all of them, its leading NUL
   * included. 108 on Linux, 104 on macOS.
   */
  public static int maxLength() {
    // Checked here, not in Limit's initialiser: an exception there would surface as
    // ExceptionInInitializerError, a LinkageError, which Pekko treats as fatal.
    NativeLibrary.ensureAvailable();
    return Limit.MAX;
  }

  public boolean isUnnamed() {
    return name.length == 0;
  }

  public boolean isAbstract() {
    return name.length > 0 && name[0] == 0;
  }

  public boolean isPath() {
    return name.length > 0 && name[0] != 0;
  }

  /** The socket file's path; IllegalStateException for an abstract or unnamed address. */
  public Path path() {
    if (!isPath()) throw new IllegalStateException(this + " is not a path name");
    return Path.of(new String(name, PATH_CHARSET));
  }

  /** An abstract name without its leading NUL; IllegalStateException for the others. */
  public String abstractName() {
    if (!isAbstract()) throw new IllegalStateException(this + " is not an abstract name");
    return new String(name, 1, name.length - 1, StandardCharsets.UTF_8);
  }

  /**
   * The JDK's form: the path, or the empty path for an unnamed socket (as the JDK reports
   * an unbound one). UnsupportedOperationException for an abstract name, which the JDK
   * cannot represent.
   */
  public UnixDomainSocketAddress toUnixDomainSocketAddress() {
    if (isAbstract()) {
      throw new UnsupportedOperationException(
          "the JDK's UnixDomainSocketAddress cannot hold the abstract name " + this);
    }
    return UnixDomainSocketAddress.of(isUnnamed() ? Path.of("") : path());
  }

  /** The name's length in the kernel's form (what {@link #maxLength()} limits). */
  public int length() {
    return name.length;
  }

  /** The kernel's form, for {@link Socket}: not copied, never to be written. */
  byte[] kernelName() {
    return name;
  }

  /** Why the kernel refuses this name as too long, for an exception's message. */
  String tooLongMessage() {
    int limit = isAbstract() ? maxLength() : maxLength() - 1;
    return this + " (" + name.length + " bytes; the kernel takes at most " + limit + ")";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UnixAddress && Arrays.equals(name, ((UnixAddress) other).name);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(name);
  }

  /** The path; {@code @name} for an abstract name (as ss(8) prints it); {@code (unnamed)}. */
  @Override
  public String toString() {
    if (isUnnamed()) return "(unnamed)";
    if (isAbstract()) return "@" + abstractName();
    return new String(name, PATH_CHARSET);
  }

  private static Charset pathCharset() {
    String jnu = System.getProperty("sun.jnu.encoding");
    try {
      return jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
    } catch (RuntimeException unsupported) {
      return Charset.defaultCharset();
    }
  }

  /** Read from the library on first use, so building addresses needs no native code. */
  private static final class Limit {
    static final int MAX;

    static {
      MAX = Native.unixNameMax0(); // reached only once maxLength() found the library loaded
    }
  }
}
