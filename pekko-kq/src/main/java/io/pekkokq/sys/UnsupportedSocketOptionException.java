package io.pekkokq.sys;

import java.net.SocketException;

/**
 * A socket option this platform's kernel, or this kind of socket, does not have (the
 * kernel's ENOPROTOOPT, or an option the library was built without): TCP_USER_TIMEOUT or
 * TCP_QUICKACK outside Linux, IPV6_V6ONLY on an IPv4 socket. The message names the option.
 */
public final class UnsupportedSocketOptionException extends SocketException {
  private static final long serialVersionUID = 1L;

  private final transient SocketOption option;

  public UnsupportedSocketOptionException(SocketOption option) {
    super("socket option " + option + " is not supported on this platform ("
        + System.getProperty("os.name") + ") or by this kind of socket");
    this.option = option;
  }

  /** The option that was refused. */
  public SocketOption option() {
    return option;
  }
}
