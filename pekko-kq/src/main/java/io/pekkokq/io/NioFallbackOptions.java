package io.pekkokq.io;

import io.pekkokq.sys.SocketOption;
import io.pekkokq.sys.UnsupportedSocketOptionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.util.Set;

/**
 * KqSO's options on the NIO fallback, where Pekko's Tcp and Udp hand them {@code java.net}
 * sockets: set through the JDK's own option of the same name where the JDK has one, and
 * refused by name where it has not (TCP_USER_TIMEOUT, TCP_NOTSENT_LOWAT, TCP_FASTOPEN,
 * TCP_CORK, IPV6_V6ONLY, and what this platform's JDK lacks). Pekko's option hooks cannot
 * throw checked exceptions, so a refusal is an {@link UncheckedIOException} around the
 * {@link UnsupportedSocketOptionException} naming the option; Pekko makes it the cause of
 * the CommandFailed.
 */
final class NioFallbackOptions {
  private static final String WHY =
      "is not available on Pekko's NIO Tcp, which KqTcp runs on now (pekko.io.kq.fallback = nio"
          + " without the native library, or pekko.io.kq.native = off)";

  private NioFallbackOptions() {}

  /** The JDK's option of the same name, or null when the JDK has none. */
  private static java.net.SocketOption<?> jdkOption(SocketOption option) {
    switch (option) {
      case REUSE_PORT:
        return StandardSocketOptions.SO_REUSEPORT;
      case TCP_KEEPIDLE:
        return jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE;
      case TCP_KEEPINTVL:
        return jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL;
      case TCP_KEEPCNT:
        return jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT;
      case TCP_QUICKACK:
        return jdk.net.ExtendedSocketOptions.TCP_QUICKACK;
      default:
        return null;
    }
  }

  /** The setOption of any of the three java.net socket kinds. */
  @FunctionalInterface
  private interface Setter {
    void set(java.net.SocketOption<Object> option, Object value) throws IOException;
  }

  static void setOrFail(java.net.Socket socket, SocketOption option, int value) {
    set(socket.supportedOptions(), socket::setOption, option, value, true);
  }

  static void setOrFail(java.net.ServerSocket socket, SocketOption option, int value) {
    set(socket.supportedOptions(), socket::setOption, option, value, true);
  }

  static void setOrFail(java.net.DatagramSocket socket, SocketOption option, int value) {
    set(socket.supportedOptions(), socket::setOption, option, value, true);
  }

  /** Before connect: sets what the JDK has; a refusal waits for {@link #setOrFail} after connect. */
  static void setIfAvailable(java.net.Socket socket, SocketOption option, int value) {
    set(socket.supportedOptions(), socket::setOption, option, value, false);
  }

  @SuppressWarnings("unchecked")
  private static void set(
      Set<java.net.SocketOption<?>> supported, Setter setter, SocketOption option, int value, boolean failIfMissing) {
    java.net.SocketOption<?> jdk = jdkOption(option);
    if (jdk == null || !supported.contains(jdk)) {
      if (failIfMissing) throw new UncheckedIOException(new UnsupportedSocketOptionException(option.name(), WHY));
      return;
    }
    try {
      setter.set((java.net.SocketOption<Object>) jdk, jdk.type() == Boolean.class ? (Object) (value != 0) : value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
