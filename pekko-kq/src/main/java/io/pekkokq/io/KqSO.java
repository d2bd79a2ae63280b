package io.pekkokq.io;

import io.pekkokq.socket.NativeSocketOption;
import io.pekkokq.socket.datagram.NativeDatagramOption;
import io.pekkokq.sys.DatagramSocket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.io.Inet;

/**
 * Socket options pekko-kq adds to Pekko's {@code Inet.SO} / {@code Tcp.SO}. Pass them in
 * the options of Bind or Connect (Streams: {@code bind} / {@code outgoingConnection}) like
 * Pekko's own; defaults for every connection go in {@code pekko.io.kq.tcp.socket-options},
 * which a command's option overrides (docs/socket-options.md).
 *
 * <p>An option the platform lacks (TCP_USER_TIMEOUT and TCP_QUICKACK outside Linux) or the
 * socket refuses (IPV6_V6ONLY on an IPv4 socket) fails the Bind or Connect: {@code
 * CommandFailed} whose cause, an {@code UnsupportedSocketOptionException}, names the
 * option (Streams: the binding or connection fails with it). Nothing is silently ignored.
 *
 * <p>Every option is set on a listener before bind and on a client before connect, so an
 * unsupported one fails the Bind or Connect; the connection options (all but {@link
 * #reusePort}, {@link #tcpFastOpen} and {@link #v6Only}) are set again on each connection
 * once established. On the NIO fallback they go through the JDK where it has the option,
 * and fail the command where it has not ({@link NativeOption}).
 */
public final class KqSO {
  private KqSO() {}

  /** SO_REUSEPORT: several listeners may bind the same address and port. */
  public static Inet.SocketOption reusePort(boolean on) {
    return new ReusePort(on);
  }

  /**
   * TCP_USER_TIMEOUT: how long sent data may stay unacknowledged (keep-alive probes
   * included) before the kernel drops the connection; millisecond resolution. Linux only.
   */
  public static Inet.SocketOption tcpUserTimeout(Duration timeout) {
    return option(SocketOption.TCP_USER_TIMEOUT, millis(timeout, "tcpUserTimeout"), "tcpUserTimeout");
  }

  /**
   * TCP_KEEPIDLE (TCP_KEEPALIVE on macOS): idle time before the first keep-alive probe,
   * whole seconds. Probes are sent only with SO_KEEPALIVE on ({@code TcpSO.keepAlive(true)}).
   */
  public static Inet.SocketOption keepAliveIdle(Duration idle) {
    return option(SocketOption.TCP_KEEPIDLE, seconds(idle, "keepAliveIdle"), "keepAliveIdle");
  }

  /** TCP_KEEPINTVL: time between keep-alive probes, whole seconds. */
  public static Inet.SocketOption keepAliveInterval(Duration interval) {
    return option(SocketOption.TCP_KEEPINTVL, seconds(interval, "keepAliveInterval"), "keepAliveInterval");
  }

  /** TCP_KEEPCNT: unanswered keep-alive probes before the connection is dropped. */
  public static Inet.SocketOption keepAliveCount(int probes) {
    return option(SocketOption.TCP_KEEPCNT, probes, "keepAliveCount");
  }

  /**
   * TCP_NOTSENT_LOWAT: the socket reports writable only while fewer than this many bytes
   * wait unsent in the kernel, which keeps queued data in the application (where it can
   * still be replaced or dropped) and latency low.
   */
  public static Inet.SocketOption notSentLowWatermark(int bytes) {
    return option(SocketOption.TCP_NOTSENT_LOWAT, bytes, "notSentLowWatermark");
  }

  /**
   * TCP_CORK (TCP_NOPUSH on macOS and FreeBSD): send only full segments until cleared; for
   * a connection that writes a response in several pieces.
   */
  public static Inet.SocketOption cork(boolean on) {
    return option(SocketOption.TCP_CORK, on ? 1 : 0, "cork");
  }

  /**
   * TCP_QUICKACK: acknowledge at once instead of delaying. Linux only; the kernel leaves
   * quick-ack mode by itself, so this sets the mode a connection starts in.
   */
  public static Inet.SocketOption quickAck(boolean on) {
    return option(SocketOption.TCP_QUICKACK, on ? 1 : 0, "quickAck");
  }

  /**
   * TCP_FASTOPEN on a listener (Bind only): accept data in the SYN from clients that hold
   * a cookie, with up to {@code queueLength} such connections pending (Linux; macOS and
   * FreeBSD take it as on/off). The kernel must allow it (Linux: {@code
   * net.ipv4.tcp_fastopen} has bit 2).
   */
  public static Inet.SocketOption tcpFastOpen(int queueLength) {
    return option(SocketOption.TCP_FASTOPEN, queueLength, "tcpFastOpen");
  }

  /**
   * IPV6_V6ONLY, before bind: an IPv6 socket takes IPv6 peers only, so the same port can
   * be bound separately for IPv4. Fails the Bind or Connect of an IPv4 socket.
   */
  public static Inet.SocketOption v6Only(boolean on) {
    return option(SocketOption.IPV6_V6ONLY, on ? 1 : 0, "v6Only");
  }

  private static Inet.SocketOption option(SocketOption option, long value, String what) {
    return new Option(option, option.checked(value, what));
  }

  private static long millis(Duration d, String what) {
    Objects.requireNonNull(d, what);
    return d.isNegative() ? -1 : d.toMillis();
  }

  /** Whole seconds; a fraction fails, as the kernel would silently drop it. */
  private static long seconds(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.getNano() != 0) throw new IllegalArgumentException(what + " must be whole seconds: " + d);
    return d.getSeconds();
  }

  /** SO_REUSEPORT, applied before bind and before connect. */
  public static final class ReusePort extends NativeOption implements NativeDatagramOption {
    private final boolean on;

    public ReusePort(boolean on) {
      this.on = on;
    }

    public boolean on() {
      return on;
    }

    @Override
    public SocketOption socketOption() {
      return SocketOption.REUSE_PORT;
    }

    @Override
    public int socketOptionValue() {
      return on ? 1 : 0;
    }

    /** On a UDP socket (KqUdp, Streams datagrams), before bind. */
    @Override
    public void beforeBind(DatagramSocket socket) throws IOException {
      socket.setOption(SocketOption.REUSE_PORT, on ? 1 : 0);
    }

    /** On Pekko's NIO Udp (the fallback), before bind. */
    @Override
    public void beforeDatagramBind(java.net.DatagramSocket socket) {
      NioFallbackOptions.setOrFail(socket, SocketOption.REUSE_PORT, on ? 1 : 0);
    }

    @Override
    public String toString() {
      return "ReusePort(" + on + ")";
    }
  }

  /**
   * One native option and its value, as the factories above make it: set before bind or
   * connect, and, for a connection option, again on each established connection
   * (docs/socket-options.md).
   */
  public static final class Option extends NativeOption {
    private final SocketOption option;
    private final int value;

    Option(SocketOption option, int value) {
      this.option = option;
      this.value = value;
    }

    @Override
    public SocketOption socketOption() {
      return option;
    }

    @Override
    public int socketOptionValue() {
      return value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Option && ((Option) o).option == option && ((Option) o).value == value;
    }

    @Override
    public int hashCode() {
      return option.hashCode() * 31 + value;
    }

    @Override
    public String toString() {
      return option + "(" + value + ")";
    }
  }

  /**
   * What every KqSO option is: set natively by pekko-kq (socket.SocketOptions), and on the
   * NIO fallback through the JDK where the JDK has the option (SO_REUSEPORT, the
   * keep-alive timings, TCP_QUICKACK on Linux). Where it has not, the Bind fails, and a
   * Connect fails once connected: Pekko's NIO Tcp would leave a Connect that fails before
   * connecting unanswered, and nothing may be silently ignored.
   */
  public abstract static class NativeOption extends Inet.AbstractSocketOption implements NativeSocketOption {
    NativeOption() {}

    @Override
    public void beforeServerSocketBind(java.net.ServerSocket socket) {
      NioFallbackOptions.setOrFail(socket, socketOption(), socketOptionValue());
    }

    @Override
    public void beforeConnect(java.net.Socket socket) {
      NioFallbackOptions.setIfAvailable(socket, socketOption(), socketOptionValue());
    }

    @Override
    public void afterConnect(java.net.Socket socket) {
      NioFallbackOptions.setOrFail(socket, socketOption(), socketOptionValue());
    }
  }
}
