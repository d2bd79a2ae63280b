package io.pekkokq.sys;

import java.net.SocketException;

/**
 * A socket option that cannot be set, named in the message: one this platform's kernel,
 * or this kind of socket, does not have (the kernel's ENOPROTOOPT, or an option the
 * library was built without: TCP_USER_TIMEOUT or TCP_QUICKACK outside Linux, IPV6_V6ONLY
 * on an IPv4 socket), or an option object pekko-kq does not know how to set on a native
 * socket.
 */
public final class UnsupportedSocketOptionException extends SocketException {
  private static final long serialVersionUID = 1L;

  private final transient SocketOption option;

  public UnsupportedSocketOptionException(SocketOption option) {
    super("socket option " + option + " is not supported on this platform ("
        + System.getProperty("os.name") + ") or by this kind of socket");
    this.option = option;
  }

  /** An option {@code description} names, refused for {@code reason}. */
  public UnsupportedSocketOptionException(String description, String reason) {
    super("socket option " + description + " " + reason);
    this.option = null;
  }

  /** The option that was refused; null for an option object of an unknown kind. */
  public SocketOption option() {
    return option;
  }
}
