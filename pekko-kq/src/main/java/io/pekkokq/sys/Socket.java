package io.pekkokq.sys;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A non-blocking stream socket, TCP or Unix domain: the typed Java view of {@code
 * native/src/socket.c} and {@code native/src/unix.c}. Both families share every data
 * call; they differ in how they are opened, named and connected.
 *
 * <p>Setup calls (bind, listen, connect, options) throw the IOException a Java user
 * expects ({@link Errno#exception}); data calls ({@link #read}, {@link #write},
 * {@link #accept}) return {@code -errno} so EAGAIN costs no exception.
 */
public final class Socket extends SocketDescriptor {
  private Socket(int fd) {
    super(fd);
  }

  /** A new non-blocking, close-on-exec TCP socket able to reach or bind {@code address}. */
  public static Socket openTcpFor(InetSocketAddress address) throws IOException {
    return openTcp(SocketAddresses.familyOf(address));
  }

  /** A new non-blocking, close-on-exec TCP socket of family 4 or 6. */
  public static Socket openTcp(int family) throws IOException {
    NativeLibrary.ensureAvailable();
    return new Socket(Errno.check("socket", Native.socketTcp0(family)));
  }

  /** A new non-blocking, close-on-exec Unix domain stream socket (AF_UNIX). */
  public static Socket openUnix() throws IOException {
    NativeLibrary.ensureAvailable();
    return new Socket(Errno.check("socket", Native.socketUnix0()));
  }

  /** Takes ownership of an accepted descriptor. */
  public static Socket adopt(int fd) {
    return new Socket(fd);
  }

  public void listen(int backlog) throws IOException {
    call("listen", () -> Native.socketListen0(intValue(), backlog));
  }

  /**
   * Accepts up to {@code max} pending connections into the int array at {@code fdsAddress}.
   *
   * @return how many (>= 1), -EAGAIN when none is pending, or another -errno
   */
  public int accept(long fdsAddress, int max) {
    if (!acquire()) return -Errno.EBADF;
    try {
      return Native.socketAccept0(intValue(), fdsAddress, max);
    } finally {
      release();
    }
  }

  /**
   * Starts connecting.
   *
   * @return true when connected at once, false when pending: wait for WRITABLE, then call
   *     {@link #finishConnect()}
   */
  public boolean connect(InetSocketAddress remote) throws IOException {
    byte[] record = SocketAddresses.encode(remote);
    if (!acquire()) throw Errno.exception("connect", -Errno.EBADF);
    try {
      int result = Native.socketConnect0(intValue(), record);
      if (result == -Errno.EINPROGRESS) return false;
      Errno.check("connect", result);
      return true;
    } finally {
      release();
    }
  }

  /** Ends a pending connect: returns when it succeeded, throws its cause when it failed. */
  public void finishConnect() throws IOException {
    call("connect", () -> Native.socketFinishConnect0(intValue()));
  }

  /**
   * Binds a Unix socket to {@code local}. A file already at that path, socket or not, is
   * a BindException naming the path: it is never removed here ({@link UnixSocketFiles}).
   * {@link UnixAddress#unnamed()} autobinds on Linux.
   */
  public void bind(UnixAddress local) throws IOException {
    unixCall("bind", local, () -> Native.socketBindUnix0(intValue(), local.kernelName()));
  }

  /**
   * Starts connecting a Unix socket to the listener at {@code remote}.
   *
   * @return true when connected (at once, always on Linux), false when pending: wait for
   *     WRITABLE, then {@link #finishConnect()}
   * @throws java.net.ConnectException when no file is at the path, nobody listens on it,
   *     the path may not be searched, or the listener's accept queue is full; the message
   *     names the path
   */
  public boolean connect(UnixAddress remote) throws IOException {
    if (!acquire()) throw Errno.exception("connect", -Errno.EBADF, remote);
    try {
      int result = Native.socketConnectUnix0(intValue(), remote.kernelName());
      if (result == -Errno.EINPROGRESS) return false;
      if (result == -Errno.EAGAIN) {
        // Linux: the listener's backlog is full and a non-blocking connect does not wait.
        throw new java.net.ConnectException(
            "the listener's accept queue is full, nothing is pending: " + remote);
      }
      checkUnix("connect", result, remote);
      return true;
    } finally {
      release();
    }
  }

  /** This Unix socket's own name: its path, abstract name, or unnamed. */
  public UnixAddress localUnixAddress() throws IOException {
    return unixName("getsockname", false);
  }

  /** The name of the Unix socket at the other end: the listener's, or unnamed for a client. */
  public UnixAddress remoteUnixAddress() throws IOException {
    return unixName("getpeername", true);
  }

  /** Who connected: the peer process's credentials, recorded by the kernel at connect. */
  public PeerCredentials peerCredentials() throws IOException {
    int[] out = new int[3];
    call("getsockopt SO_PEERCRED", () -> Native.socketPeerCred0(intValue(), out));
    return new PeerCredentials(out[0], Integer.toUnsignedLong(out[1]), Integer.toUnsignedLong(out[2]));
  }

  private UnixAddress unixName(String operation, boolean peer) throws IOException {
    byte[] buffer = new byte[UnixAddress.maxLength()];
    if (!acquire()) throw Errno.exception(operation, -Errno.EBADF);
    try {
      int length =
          peer ? Native.socketPeerUnix0(intValue(), buffer) : Native.socketLocalUnix0(intValue(), buffer);
      Errno.check(operation, length);
      return UnixAddress.fromKernel(buffer, length);
    } finally {
      release();
    }
  }

  private void unixCall(String operation, UnixAddress address, NativeCall call) throws IOException {
    if (!acquire()) throw Errno.exception(operation, -Errno.EBADF, address);
    try {
      checkUnix(operation, call.run(), address);
    } finally {
      release();
    }
  }

  /** Errno.check, the message naming the address (and the kernel's limit when too long). */
  private static void checkUnix(String operation, int result, UnixAddress address) throws IOException {
    if (result >= 0) return;
    Object subject = result == -Errno.ENAMETOOLONG ? address.tooLongMessage() : address;
    throw Errno.exception(operation, result, subject);
  }

  /** True once the connection is established (the kernel knows the peer). */
  public boolean isConnected() throws IOException {
    byte[] record = new byte[SocketAddresses.RECORD_SIZE];
    if (!acquire()) throw Errno.exception("getpeername", -Errno.EBADF);
    try {
      int result = Native.socketPeerAddress0(intValue(), record);
      if (result == -Errno.ENOTCONN) return false;
      // getpeername succeeded, but the peer's address is not IP (a Unix socket): connected.
      if (result == -Errno.EAFNOSUPPORT) return true;
      Errno.check("getpeername", result);
      return true;
    } finally {
      release();
    }
  }

  /**
   * The local address whatever the family: an {@link InetSocketAddress}, or a {@link
   * UnixAddress} for a Unix socket (for an accepted socket, which does not say its family).
   */
  public SocketAddress localSocketAddress() throws IOException {
    return anyFamily(false);
  }

  /** The peer's address whatever the family, as {@link #localSocketAddress()}. */
  public SocketAddress remoteSocketAddress() throws IOException {
    return anyFamily(true);
  }

  private SocketAddress anyFamily(boolean peer) throws IOException {
    String operation = peer ? "getpeername" : "getsockname";
    byte[] record = new byte[SocketAddresses.RECORD_SIZE];
    if (!acquire()) throw Errno.exception(operation, -Errno.EBADF);
    try {
      int result =
          peer ? Native.socketPeerAddress0(intValue(), record) : Native.socketLocalAddress0(intValue(), record);
      // Not an IP address: the kernel's name is a Unix one (the only other family opened here).
      if (result == -Errno.EAFNOSUPPORT) return unixName(operation, peer);
      Errno.check(operation, result);
      return SocketAddresses.decode(record);
    } finally {
      release();
    }
  }

  /** Shuts down the writing side: the peer reads end of stream. */
  public void shutdownOutput() throws IOException {
    call("shutdown", () -> Native.socketShutdown0(intValue(), 1));
  }

  /** Sends {@code count} bytes of {@code file} from {@code offset}: bytes sent or -errno. */
  public long sendFile(FileDescriptor file, long offset, long count) {
    if (!acquire()) return -Errno.EBADF;
    try {
      if (!file.acquire()) return -Errno.EBADF;
      try {
        return Native.sendfile0(intValue(), file.intValue(), offset, count);
      } finally {
        file.release();
      }
    } finally {
      release();
    }
  }
}
