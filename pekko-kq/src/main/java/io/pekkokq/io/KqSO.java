package io.pekkokq.io;

import io.pekkokq.socket.NativeSocketOption;
import io.pekkokq.socket.datagram.NativeDatagramOption;
import io.pekkokq.sys.DatagramSocket;
import io.pekkokq.sys.Socket;
import io.pekkokq.sys.SocketOption;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.io.Inet;

/**
 * Socket options pekko-kq adds to Pekko's {@code Inet.SO} / {@code Tcp.SO}. Pass them in
 * the options of Bind or Connect (Streams: {@code bind} / {@code outgoingConnection}) like
 * Pekko's own (docs/migrating-from-pekko-tcp.md).
 *
 * <p>An option the platform lacks (TCP_USER_TIMEOUT and TCP_QUICKACK outside Linux) or the
 * socket refuses (IPV6_V6ONLY on an IPv4 socket) fails the Bind or Connect: {@code
 * CommandFailed} whose cause, an {@code UnsupportedSocketOptionException}, names the
 * option (Streams: the binding or connection fails with it). Nothing is silently ignored.
 *
 * <p>Connection options (all but {@link #tcpFastOpen} and {@link #v6Only}) are set on a
 * listener before bind, so an unsupported one fails the Bind, and on every connection it
 * accepts; on a client, before connect and once connected.
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
    return connection(SocketOption.TCP_USER_TIMEOUT, millis(timeout, "tcpUserTimeout"));
  }

  /**
   * TCP_KEEPIDLE (TCP_KEEPALIVE on macOS): idle time before the first keep-alive probe,
   * whole seconds. Probes are sent only with SO_KEEPALIVE on ({@code TcpSO.keepAlive(true)}).
   */
  public static Inet.SocketOption keepAliveIdle(Duration idle) {
    return connection(SocketOption.TCP_KEEPIDLE, seconds(idle, "keepAliveIdle"));
  }

  /** TCP_KEEPINTVL: time between keep-alive probes, whole seconds. */
  public static Inet.SocketOption keepAliveInterval(Duration interval) {
    return connection(SocketOption.TCP_KEEPINTVL, seconds(interval, "keepAliveInterval"));
  }

  /** TCP_KEEPCNT: unanswered keep-alive probes before the connection is dropped. */
  public static Inet.SocketOption keepAliveCount(int probes) {
    return connection(SocketOption.TCP_KEEPCNT, positive(probes, "keepAliveCount"));
  }

  /**
   * TCP_NOTSENT_LOWAT: the socket reports writable only while fewer than this many bytes
   * wait unsent in the kernel, which keeps queued data in the application (where it can
   * still be replaced or dropped) and latency low.
   */
  public static Inet.SocketOption notSentLowWatermark(int bytes) {
    return connection(SocketOption.TCP_NOTSENT_LOWAT, positive(bytes, "notSentLowWatermark"));
  }

  /**
   * TCP_CORK (TCP_NOPUSH on macOS and FreeBSD): send only full segments until cleared; for
   * a connection that writes a response in several pieces.
   */
  public static Inet.SocketOption cork(boolean on) {
    return connection(SocketOption.TCP_CORK, on ? 1 : 0);
  }

  /**
   * TCP_QUICKACK: acknowledge at once instead of delaying. Linux only; the kernel leaves
   * quick-ack mode by itself, so this sets the mode a connection starts in.
   */
  public static Inet.SocketOption quickAck(boolean on) {
    return connection(SocketOption.TCP_QUICKACK, on ? 1 : 0);
  }

  /**
   * TCP_FASTOPEN on a listener (Bind only): accept data in the SYN from clients that hold
   * a cookie, with up to {@code queueLength} such connections pending (Linux; macOS and
   * FreeBSD take it as on/off). The kernel must allow it (Linux: {@code
   * net.ipv4.tcp_fastopen} has bit 2).
   */
  public static Inet.SocketOption tcpFastOpen(int queueLength) {
    return new Option(SocketOption.TCP_FASTOPEN, positive(queueLength, "tcpFastOpen"), false);
  }

  /**
   * IPV6_V6ONLY, before bind: an IPv6 socket takes IPv6 peers only, so the same port can
   * be bound separately for IPv4. Fails the Bind or Connect of an IPv4 socket.
   */
  public static Inet.SocketOption v6Only(boolean on) {
    return new Option(SocketOption.IPV6_V6ONLY, on ? 1 : 0, false);
  }

  private static Inet.SocketOption connection(SocketOption option, int value) {
    return new Option(option, value, true);
  }

  private static int millis(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " must be 0.." + Integer.MAX_VALUE + " ms: " + d);
    }
    return (int) d.toMillis();
  }

  private static int seconds(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.getSeconds() < 1 || d.getSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " must be at least 1 s: " + d);
    }
    return (int) d.getSeconds();
  }

  private static int positive(int n, String what) {
    if (n < 1) throw new IllegalArgumentException(what + " must be at least 1: " + n);
    return n;
  }

  /** SO_REUSEPORT, applied before bind and before connect. */
  public static final class ReusePort extends Inet.AbstractSocketOption
      implements NativeSocketOption, NativeDatagramOption {
    private final boolean on;

    public ReusePort(boolean on) {
      this.on = on;
    }

    public boolean on() {
      return on;
    }

    @Override
    public void applyBeforeBindOrConnect(Socket socket) throws IOException {
      socket.setOption(SocketOption.REUSE_PORT, on);
    }

    /** On a UDP socket (KqUdp, Streams datagrams), before bind. */
    @Override
    public void beforeBind(DatagramSocket socket) throws IOException {
      socket.setOption(SocketOption.REUSE_PORT, on ? 1 : 0);
    }

    @Override
    public String toString() {
      return "ReusePort(" + on + ")";
    }
  }

  /**
   * One native option and its value, as the factories above make it: set before bind or
   * connect, and, for a connection option, again on each established connection.
   */
  public static final class Option extends Inet.AbstractSocketOption implements NativeSocketOption {
    private final SocketOption option;
    private final int value;
    private final boolean connection;

    Option(SocketOption option, int value, boolean connection) {
      this.option = option;
      this.value = value;
      this.connection = connection;
    }

    /** Which option. */
    public SocketOption option() {
      return option;
    }

    /** Its value as the kernel takes it (ms, s, bytes, a count, or 1/0). */
    public int value() {
      return value;
    }

    @Override
    public void applyBeforeBindOrConnect(Socket socket) throws IOException {
      socket.setOption(option, value);
    }

    @Override
    public void applyAfterConnect(Socket socket) throws IOException {
      if (connection) socket.setOption(option, value);
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
}
